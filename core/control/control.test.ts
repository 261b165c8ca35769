import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DrillError } from '../errors.ts';
import {
  announceCheckpoint,
  awaitConfirmation,
  confirmCheckpoint,
  type HaltRequest,
  pendingCheckpoints,
  readCheckpoint,
  requestHalt,
  watchHalt,
  watchPendingCheckpoints,
  withdrawCheckpoint,
} from './index.ts';

const run = promisify(execFile);
const runDir = () => mkdtempSync(join(tmpdir(), 'control-'));
const MODULE = new URL('./index.ts', import.meta.url).pathname;

/** Calls the control channel from another Node process, as `pnpm drill halt` or the page's server do. */
async function fromOtherProcess(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    `import * as control from ${JSON.stringify(MODULE)};\n${code}`,
  ]);
  return stdout;
}

describe('halt', () => {
  it('keeps the first request: a second one changes nothing and is told so', () => {
    const dir = runDir();
    const first = requestHalt(dir, { by: 'ana', via: 'terminal', reason: 'database owner says stop' });
    const second = requestHalt(dir, { by: 'bo', via: 'page' });
    expect(first.first).toBe(true);
    expect(second.first).toBe(false);
    expect(second.request).toEqual(first.request);
    expect(first.request).toMatchObject({ by: 'ana', via: 'terminal', reason: 'database owner says stop' });
    // No temporary file is left behind by the loser.
    expect(readdirSync(join(dir, 'control'))).toEqual(['halt.json']);
  });

  it('fires once, at once, for a halt requested before the watch began', () => {
    const dir = runDir();
    requestHalt(dir, { by: 'ana', via: 'terminal' });
    const seen: HaltRequest[] = [];
    const stop = watchHalt(dir, (r) => seen.push(r));
    stop();
    expect(seen.map((r) => r.by)).toEqual(['ana']);
  });

  it('fires when another process requests the halt', { timeout: 30_000 }, async () => {
    const dir = runDir();
    const halted = new Promise<HaltRequest>((resolve) => watchHalt(dir, resolve));
    await fromOtherProcess(
      `control.requestHalt(${JSON.stringify(dir)}, { by: 'cli-user', via: 'terminal', reason: 'r' });`,
    );
    expect(await halted).toMatchObject({ by: 'cli-user', via: 'terminal', reason: 'r' });
  });

  it('still fires when fs.watch sees nothing: the poll finds the request', async () => {
    const dir = runDir();
    // A run directory whose control folder is replaced after the watch began: the watch's folder is gone.
    let fired: HaltRequest | undefined;
    const stop = watchHalt(dir, (r) => {
      fired = r;
    });
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'control'), { recursive: true });
    requestHalt(dir, { by: 'late', via: 'page' });
    await expect.poll(() => fired?.by, { timeout: 5_000 }).toBe('late');
    stop();
  });

  it('stops watching when told to', async () => {
    const dir = runDir();
    let fired = 0;
    const stop = watchHalt(dir, () => fired++);
    stop();
    requestHalt(dir, { by: 'ana', via: 'terminal' });
    // Two poll periods and a watch event would have passed.
    await new Promise((r) => setTimeout(r, 500));
    expect(fired).toBe(0);
  });
});

describe('checkpoints', () => {
  it('returns the confirmation written by another process, with who, when and how', {
    timeout: 30_000,
  }, async () => {
    const dir = runDir();
    const signal = new AbortController().signal;
    const waiting = awaitConfirmation(dir, 'freeze-pipeline', signal, 60_000);
    const before = Date.now();
    await fromOtherProcess(
      `control.confirmCheckpoint(${JSON.stringify(dir)}, 'freeze-pipeline', { by: 'ana', via: 'page' });`,
    );
    const { record, waitedMs } = await waiting;
    expect(record).toMatchObject({ stepId: 'freeze-pipeline', outcome: 'confirmed', by: 'ana', via: 'page' });
    expect(Date.parse(record.at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(waitedMs).toBeGreaterThan(0);
  });

  it('keeps the first of racing confirmations from other processes as the record', {
    timeout: 60_000,
  }, async () => {
    const dir = runDir();
    const racers = ['a', 'b', 'c'].map((by) =>
      fromOtherProcess(
        `const r = control.confirmCheckpoint(${JSON.stringify(dir)}, 's', { by: '${by}', via: 'terminal' });
         process.stdout.write(JSON.stringify(r));`,
      ),
    );
    const answers = (await Promise.all(racers)).map(
      (out) => JSON.parse(out) as { first: boolean; record: { by: string } },
    );
    expect(answers.filter((a) => a.first)).toHaveLength(1);
    const winner = answers.find((a) => a.first)?.record.by;
    expect(answers.every((a) => a.record.by === winner)).toBe(true);
    expect(readCheckpoint(dir, 's')).toMatchObject({ by: winner });
  });

  it('counts the wait, and its bound, from when the question was put, not from when the wait began', async () => {
    const dir = runDir();
    const askedAt = performance.now() - 200;
    const started = performance.now();
    const { record, waitedMs } = await awaitConfirmation(
      dir,
      's',
      new AbortController().signal,
      300,
      askedAt,
    );
    const elapsed = performance.now() - started;
    expect(record.outcome).toBe('timed-out');
    expect(waitedMs).toBeGreaterThanOrEqual(299);
    // The 200 ms the question was already up are part of the wait, and came off the bound.
    expect(waitedMs - elapsed).toBeGreaterThanOrEqual(199);
  });

  it('times out after its bound, writes the timed-out record, and a late answer loses to it', async () => {
    const dir = runDir();
    const started = performance.now();
    const { record, waitedMs } = await awaitConfirmation(dir, 's', new AbortController().signal, 300);
    const elapsed = performance.now() - started;
    expect(record.outcome).toBe('timed-out');
    expect(waitedMs).toBeGreaterThanOrEqual(299);
    expect(waitedMs).toBeLessThanOrEqual(Math.ceil(elapsed));
    const late = confirmCheckpoint(dir, 's', { by: 'ana', via: 'terminal' });
    expect(late.first).toBe(false);
    expect(late.record.outcome).toBe('timed-out');
  });

  it('returns at once for a checkpoint confirmed before the wait', async () => {
    const dir = runDir();
    confirmCheckpoint(dir, 's', { by: 'ci', via: 'auto' });
    const { record } = await awaitConfirmation(dir, 's', new AbortController().signal, 60_000);
    expect(record).toMatchObject({ outcome: 'confirmed', via: 'auto' });
  });

  it('rejects with the abort reason when the run aborts while waiting', async () => {
    const dir = runDir();
    const controller = new AbortController();
    const waiting = awaitConfirmation(dir, 's', controller.signal, 60_000);
    const reason = new DrillError('E_ABORTED', 'halted by ana');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(readCheckpoint(dir, 's')).toBeUndefined();
  });

  it('lists pending checkpoints and tells a watcher of each once', async () => {
    const dir = runDir();
    const seen: string[] = [];
    const stop = watchPendingCheckpoints(dir, (p) => seen.push(p.stepId));
    const pending = {
      title: 'Freeze deploys',
      instruction: 'freeze the pipeline',
      waitUpToMs: 60_000,
      onTimeout: 'abort' as const,
    };
    announceCheckpoint(dir, { ...pending, stepId: 'one', since: '2026-01-01T00:00:00.000Z' });
    announceCheckpoint(dir, { ...pending, stepId: 'two', since: '2026-01-01T00:00:01.000Z' });
    await expect.poll(() => seen, { timeout: 5_000 }).toEqual(['one', 'two']);
    expect(pendingCheckpoints(dir).map((p) => p.stepId)).toEqual(['one', 'two']);
    withdrawCheckpoint(dir, 'one');
    expect(pendingCheckpoints(dir).map((p) => p.stepId)).toEqual(['two']);
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).toEqual(['one', 'two']);
    stop();
  });

  it('keeps a step id with a slash inside the control folder', () => {
    const dir = runDir();
    confirmCheckpoint(dir, '../escape', { by: 'x', via: 'auto' });
    expect(readdirSync(join(dir, 'control', 'checkpoints'))).toEqual(['..%2Fescape.json']);
    expect(readCheckpoint(dir, '../escape')).toMatchObject({ by: 'x' });
  });
});
