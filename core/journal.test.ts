import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE, JournalSnapshot, loadJournal, pendingUndos, writeFileAtomic } from './journal.ts';
import type { EventInput } from './runner/drill-run.ts';
import { writeRecordedRun } from './runner/testing.ts';

const start = {
  runId: '20261126T041530Z-self-test-a1b2',
  scenario: 'self-test',
  target: 'memory',
  pid: 1234,
  startedAt: '2026-11-26T04:15:30.000Z',
};

function recorded(events: EventInput[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'journal-')), 'runs', start.runId);
  writeRecordedRun(dir, start, events);
  return dir;
}

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const file = join(dir, 'x.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['x.json']);
  });
});

describe('the journal, a fold of the run events', () => {
  it('folds phases, steps, T0, undos with their data and outcome, the lock and the verdict', () => {
    const dir = recorded([
      { kind: 'phase-start', phase: 'inject' },
      { kind: 'undo-registered', undoId: 'fault', undoKind: 'fault', stepId: 'fault', title: 'Cut' },
      { kind: 'step-start', phase: 'inject', stepId: 'fault', title: 'Cut' },
      { kind: 't0', t0Ms: 3, t0At: '2026-11-26T04:15:30.003Z' },
      { kind: 'undo-data', undoId: 'fault', undoData: { link: 'wan' } },
      { kind: 'step-end', phase: 'inject', stepId: 'fault', title: 'Cut', status: 'ok', durationMs: 1 },
      { kind: 'phase-end', phase: 'inject', status: 'ok', durationMs: 5 },
      { kind: 'phase-start', phase: 'failover' },
      { kind: 'step-start', phase: 'failover', stepId: 'promote', title: 'Promote' },
      {
        kind: 'irreversible',
        phase: 'failover',
        stepId: 'promote',
        title: 'Promote',
        reason: 'r',
        wayBack: 'w',
      },
      { kind: 'lock', where: 'lock file x', status: 'held' },
      { kind: 'undo', undoId: 'fault', stepId: 'fault', title: 'Cut', status: 'done', durationMs: 7 },
    ]);
    const { data } = loadJournal(dir);
    expect([data.runId, data.pid, data.state, data.phase, data.startedAt]).toEqual([
      start.runId,
      1234,
      'running',
      'failover',
      start.startedAt,
    ]);
    expect(data.phases.map((p) => `${p.phase}:${p.status}`)).toEqual(['inject:ok', 'failover:running']);
    expect(data.steps.map((s) => `${s.id}:${s.status}:${s.irreversible?.wayBack ?? ''}`)).toEqual([
      'fault:ok:',
      'promote:running:w',
    ]);
    // run-start is at 0 ms, so T0 at 3 ms is 3 ms after the start.
    expect(data.t0).toBe('2026-11-26T04:15:30.003Z');
    expect(data.undos).toMatchObject([
      {
        id: 'fault',
        undoData: { link: 'wan' },
        status: 'done',
        outcome: { by: 'run', pid: 1234, durationMs: 7 },
      },
    ]);
    expect(data.lock).toEqual({ where: 'lock file x', status: 'held' });
    expect(data.updatedAt).toBe('2026-11-26T04:15:30.013Z');
  });

  it('lists pending and failed undos most recent first', () => {
    const dir = recorded(
      (['fault', 'failover:a', 'failover:b', 'failover:c'] as const).flatMap((id) => [
        { kind: 'undo-registered' as const, undoId: id, undoKind: 'step' as const, stepId: id, title: id },
      ]),
    );
    const undo = (id: string, status: 'done' | 'failed'): EventInput => ({
      kind: 'undo',
      undoId: id,
      stepId: id,
      title: id,
      status,
      durationMs: 1,
    });
    writeFileSync(
      join(dir, 'events.jsonl'),
      `${readFileSync(join(dir, 'events.jsonl'), 'utf8')}${[
        undo('failover:a', 'done'),
        undo('failover:b', 'failed'),
      ]
        .map((e, i) => JSON.stringify({ ...e, at: 100 + i, wallMs: 100 + i }))
        .join('\n')}\n`,
    );
    expect(pendingUndos(loadJournal(dir).data).map((u) => u.id)).toEqual([
      'failover:c',
      'failover:b',
      'fault',
    ]);
  });

  it('a rollback after the run: its process, its undo outcomes and its end rewrite state, verdict and reason', () => {
    const dir = recorded([
      { kind: 'undo-registered', undoId: 'fault', undoKind: 'fault', stepId: 'fault', title: 'Cut' },
      { kind: 'process', pid: 99, role: 'rollback', targetKind: 'lab' },
      { kind: 'undo', undoId: 'fault', stepId: 'fault', title: 'Cut', status: 'done', durationMs: 2 },
      {
        kind: 'rollback-end',
        state: 'rolled-back',
        done: 1,
        failed: 0,
        verdict: 'aborted',
        reason: 'killed',
      },
    ]);
    const { data } = loadJournal(dir);
    expect([data.state, data.verdict, data.reason, data.pid]).toEqual([
      'rolled-back',
      'aborted',
      'killed',
      1234,
    ]);
    expect(data.undos[0]?.outcome).toMatchObject({ by: 'rollback', pid: 99 });
    expect(data.rollbacks).toMatchObject([{ pid: 99, done: 1, failed: 0 }]);
  });

  it('journal.json is the fold kept on disk after each transition, not after samples and logs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const snapshot = new JournalSnapshot(dir);
    const base = { at: 0, wallMs: Date.parse(start.startedAt) };
    snapshot.apply({
      ...base,
      kind: 'run-start',
      runId: 'r',
      scenario: 's',
      target: 't',
      dryRun: false,
      runDir: dir,
    });
    snapshot.apply({ ...base, kind: 'phase-start', phase: 'plan' });
    const onDisk = () => JSON.parse(readFileSync(join(dir, JOURNAL_FILE), 'utf8'));
    expect(onDisk().phase).toBe('plan');
    snapshot.apply({ ...base, at: 5, wallMs: base.wallMs + 5, kind: 'log', level: 'info', message: 'x' });
    expect(onDisk().updatedAt).toBe(start.startedAt);
  });

  it('a run directory without events.jsonl cannot be replayed: says so, naming the journal.json snapshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    writeFileSync(join(dir, JOURNAL_FILE), '{"journalVersion": 1, "runId": ');
    expect(() => loadJournal(dir)).toThrow(
      `${join(dir, 'events.jsonl')}: missing, so the run cannot be replayed (${join(dir, JOURNAL_FILE)} is only a snapshot of it)`,
    );
    expect(existsSync(join(dir, 'events.jsonl'))).toBe(false);
  });
});
