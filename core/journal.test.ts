import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE, Journal, writeFileAtomic } from './journal.ts';

const init = {
  runId: '20261126T041530Z-self-test-a1b2',
  scenario: { name: 'self-test', file: 'scenarios/self-test.ts' },
  target: { name: 'memory', kind: 'lab' as const },
  dryRun: false,
  pid: 1234,
  startedAt: '2026-11-26T04:15:30.000Z',
  phase: 'plan' as const,
};

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const file = join(dir, 'x.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('a temporary file left by a killed writer does not touch the journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const journal = Journal.create(dir, init);
    // A writer killed between write and rename leaves only its tmp file.
    writeFileSync(`${journal.file}.999.tmp`, '{"half": ');
    expect(Journal.load(dir).data.runId).toBe(init.runId);
  });
});

describe('Journal', () => {
  it('persists every update before returning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const journal = Journal.create(dir, init);
    expect(existsSync(join(dir, JOURNAL_FILE))).toBe(true);
    journal.update((d) => {
      d.phase = 'inject';
      d.undos.push({
        id: 'fault',
        kind: 'fault',
        stepId: 'fault',
        title: 'Cut',
        registeredAt: 'now',
        status: 'pending',
      });
    });
    const onDisk = Journal.load(dir).data;
    expect(onDisk.phase).toBe('inject');
    expect(onDisk.undos.map((u) => u.id)).toEqual(['fault']);
    expect(onDisk.state).toBe('running');
  });

  it('lists pending and failed undos most recent first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const journal = Journal.create(dir, init);
    journal.update((d) => {
      for (const [id, status] of [
        ['fault', 'pending'],
        ['failover:a', 'done'],
        ['failover:b', 'failed'],
        ['failover:c', 'pending'],
      ] as const) {
        d.undos.push({ id, kind: 'step', stepId: id, title: id, registeredAt: 'now', status });
      }
    });
    expect(
      Journal.load(dir)
        .pendingUndos()
        .map((u) => u.id),
    ).toEqual(['failover:c', 'failover:b', 'fault']);
  });

  it('refuses a journal of another version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    writeFileSync(join(dir, JOURNAL_FILE), '{"journalVersion": 7}');
    expect(() => Journal.load(dir)).toThrow(`${join(dir, JOURNAL_FILE)}: unsupported journalVersion 7`);
  });
});
