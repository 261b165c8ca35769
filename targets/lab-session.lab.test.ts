// The ephemeral lab started ahead by `pnpm drill` (while vitest starts up): the worker's prepare() of the same run
// waits for it and takes it over instead of starting a second one; a lab no worker took over is stopped by the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runningLab, stopDaemon } from '../lab/platform/daemon-control.ts';
import { prepareLab, prepareLabAhead } from './lab-session.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-session-'));
afterAll(async () => {
  await stopDaemon(dir);
  rmSync(dir, { recursive: true, force: true });
});

it('the worker adopts the lab started ahead for its run, and stops it after the run', async () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  // The worker asks while the lab is still booting.
  const ahead = prepareLabAhead(dir, log, 'run-a');
  const stop = await prepareLab(dir, log, 'run-a');
  const lab = await runningLab(dir);
  expect(lab, 'the adopted lab serves').not.toBeNull();
  expect(lines.filter((l) => l.includes('starting an ephemeral lab'))).toHaveLength(1);
  expect(stop, 'the worker stops what it adopted').toBeTypeOf('function');
  await (await ahead)();
  expect((await runningLab(dir))?.pid, 'the CLI leaves an adopted lab to the worker').toBe(lab?.pid);
  await stop?.();
  expect(await runningLab(dir)).toBeNull();
  // Another run finds no lab up and starts its own: the first run's ahead start is not taken for its own.
  const again = await prepareLab(dir, log, 'run-b');
  expect(again).toBeTypeOf('function');
  await again?.();
}, 180_000);

it('a lab started ahead that no worker took over is stopped when the run is over', async () => {
  const finish = await prepareLabAhead(dir, () => {}, 'run-c');
  expect(await runningLab(dir)).not.toBeNull();
  await finish();
  expect(await runningLab(dir)).toBeNull();
}, 120_000);
