// `pnpm drill halt <run-id>` on the self-test (in-memory platform, no lab): the halt stops a drill the way Ctrl-C does,
// whether the engine runs in a vitest worker or in process, and refuses a run that is unknown or over.
import { describe, expect, it } from 'vitest';
import { processSlots } from '../testing/process-slots.ts';
import { firstInterruptMessage } from './interrupt.ts';
import { readJournal, runDirIn, runDrill, sandbox, spawnDrill, waitForJournal } from './spawn-drill.ts';

const inFailover = (j: { phase: string; phases: { phase: string; status: string }[] }) =>
  j.phase === 'failover' && j.phases.at(-1)?.status === 'running';

// Each case is a process tree in a sandbox of its own, mostly waiting on the slowed platform: side by side, three at
// most (22 s one after another, measured at load 6).
const slot = processSlots(3);

describe('pnpm drill halt', { concurrent: true }, () => {
  it('refuses an unknown run id: exit 2, and says which runs there are', () =>
    slot(async () => {
      const box = sandbox();
      const { code, output } = await runDrill(['halt', 'no-such-run', '--out', box.outDir], box.env);
      expect(code).toBe(2);
      expect(output).toContain('drill halt: no run "no-such-run"');
      expect(output).toContain('no drill is running under');
    }));

  it.each([
    ['in process', ['--in-process']],
    ['in a vitest worker', []],
  ])(
    'stops a drill mid-failover %s as Ctrl-C does, then refuses it as finished',
    { timeout: 120_000 },
    (_, mode) =>
      slot(async () => {
        // Slow operations, so the failover phase lasts long enough to be halted in.
        const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '8' });
        const drill = spawnDrill(['self-test', ...mode, '--out', box.outDir], box.env);
        const { runId } = await waitForJournal(box.outDir, drill, inFailover, 90_000);
        const halt = await runDrill(
          ['halt', runId, '--out', box.outDir, '--by', 'ic-ana', '--reason', 'customer traffic spiking'],
          box.env,
        );
        const code = await drill.exited;
        const output = drill.output();
        expect(halt.code, halt.output).toBe(0);
        expect(halt.output).toContain(`halt requested by ic-ana: run ${runId} stops as on Ctrl-C`);
        expect(halt.output).toContain(`run ${runId} ended: verdict ABORTED`);
        expect(code, output).toBe(3);
        expect(output).toContain(
          `halted by ic-ana (pnpm drill halt): customer traffic spiking. ${firstInterruptMessage(runId)}`,
        );
        expect(output).toContain(
          'verdict: ABORTED (exit 3): aborted: halted by ic-ana (pnpm drill halt): customer traffic spiking',
        );
        const journal = readJournal(runDirIn(box.outDir) as string);
        expect(journal?.verdict).toBe('aborted');
        expect(journal?.undos.filter((u) => u.status !== 'done' && u.status !== 'skipped')).toEqual([]);
        const again = await runDrill(['halt', runId, '--out', box.outDir], box.env);
        expect(again.code).toBe(2);
        expect(again.output).toContain(`drill halt: run ${runId} has finished (verdict ABORTED`);
        expect(again.output).toContain(`finished or stopped: ${runId}`);
      }),
  );
});
