// The kubelet's restart back-off for one container process: the realistic first delay (10 s) and its wording.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContainerRuntime, goDuration } from './container.ts';
import { REALISTIC_TIMING } from './timing.ts';

describe('ContainerRuntime back-off', () => {
  it('prints durations as Go does', () => {
    expect([500, 10_000, 80_000, 160_000, 300_000].map(goDuration)).toEqual([
      '500ms',
      '10s',
      '1m20s',
      '2m40s',
      '5m0s',
    ]);
  });

  it('waits the realistic 10 s after a crash, says CrashLoopBackOff and records BackOff', async () => {
    const events: string[] = [];
    let changed: () => void = () => {};
    const runtime = new ContainerRuntime({
      podName: 'ai-worker-abc-12345',
      container: { name: 'main', command: [process.execPath, '-e', 'process.exit(1)'] },
      port: 0,
      logDir: join(await mkdtemp(join(tmpdir(), 'container-')), 'main'),
      resolveEnv: () => ({ PATH: process.env.PATH ?? '' }),
      onChange: () => changed(),
      onEvent: (type, reason, message) => events.push(`${type} ${reason}: ${message}`),
      backoff: { startMs: REALISTIC_TIMING.backoffStartMs, capMs: REALISTIC_TIMING.backoffCapMs },
    });
    const crashed = new Promise<void>((resolve) => {
      changed = () => {
        if (runtime.status().state.waiting?.reason === 'CrashLoopBackOff') resolve();
      };
    });
    runtime.start();
    await crashed;
    expect(runtime.status().state.waiting?.message).toBe(
      'back-off 10s restarting failed container=main pod=ai-worker-abc-12345',
    );
    expect(runtime.status().restartCount).toBe(1);
    expect(events).toEqual([
      `Normal Pulled: Container image "${process.execPath}" already present on machine`,
      'Normal Created: Created container: main',
      'Normal Started: Started container main',
      'Warning BackOff: Back-off restarting failed container main in pod ai-worker-abc-12345',
    ]);
    await runtime.stop(0);
  });
});
