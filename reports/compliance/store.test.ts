import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sha256 } from './record.ts';
import { ingestRun, readHead, readRecords } from './store.ts';
import { fixture, runDirWith } from './testing.ts';
import { verifyHistory } from './verify.ts';

const AT = new Date('2026-11-26T08:00:00.000Z');

function history() {
  const historyDir = mkdtempSync(join(tmpdir(), 'compliance-history-'));
  const selfTest = runDirWith(fixture('self-test'));
  const regionOutage = runDirWith(fixture('region-outage'));
  const first = ingestRun({
    historyDir,
    runDir: selfTest,
    now: AT,
    signOff: { approver: 'Ann', participants: [] },
  });
  const second = ingestRun({ historyDir, runDir: regionOutage, now: AT });
  return { historyDir, selfTest, first, second };
}

describe('ingestRun', () => {
  it('copies and hashes the artifacts (not the pid file) and chains the records', () => {
    const { historyDir, selfTest, first, second } = history();
    expect(first.artifacts.map((a) => a.path)).toEqual(['attachments/canary-ledger.csv', 'result.json']);
    expect(first.artifacts[1]?.sha256).toBe(sha256(readFileSync(join(selfTest, 'result.json'))));
    expect(first).toMatchObject({
      seq: 1,
      prevChainHash: GENESIS_HASH,
      ingestedAt: '2026-11-26T08:00:00.000Z',
    });
    expect(first.run.signOff).toEqual({ approver: 'Ann', participants: [], recordedBy: 'ingest' });
    expect(second).toMatchObject({ seq: 2, prevChainHash: first.chainHash });
    expect(readHead(historyDir)).toEqual({ seq: 2, chainHash: second.chainHash });
    expect(readRecords(historyDir).map((r) => r.run.runId)).toEqual([
      '20261126T070541Z-self-test-c64f',
      '20261126T063138Z-region-outage-a103',
    ]);
  });

  it('refuses a run already in the history, a dry run, a refused run and a folder with no result.json', () => {
    const { historyDir, selfTest } = history();
    expect(() => ingestRun({ historyDir, runDir: selfTest })).toThrow(
      `20261126T070541Z-self-test-c64f is already in the history at ${historyDir}`,
    );
    const dry = runDirWith({ ...fixture('self-test'), runId: 'dry-1', dryRun: true });
    expect(() => ingestRun({ historyDir, runDir: dry })).toThrow(
      'dry-1 is a dry run: nothing was executed, so it is no evidence; ingest a real run',
    );
    const refused = runDirWith({
      ...fixture('self-test'),
      runId: 'refused-1',
      verdict: 'failed',
      t0: null,
      phases: fixture('self-test').phases.filter((p) => p.phase === 'plan' || p.phase === 'preflight'),
    });
    expect(() => ingestRun({ historyDir, runDir: refused })).toThrow(
      'refused-1 is a refused run (a gate stopped it before the fault): nothing was executed, so it is no evidence',
    );
    const killedEarly = fixture('self-test-interrupted');
    killedEarly.runId = 'killed-in-preflight';
    killedEarly.t0 = null;
    killedEarly.phases = killedEarly.phases.filter((p) => p.phase === 'plan' || p.phase === 'preflight');
    expect(() => ingestRun({ historyDir, runDir: runDirWith(killedEarly) })).toThrow(
      'killed-in-preflight is a run killed before its fault was injected: nothing was executed',
    );
    const empty = mkdtempSync(join(tmpdir(), 'compliance-empty-'));
    expect(() => ingestRun({ historyDir, runDir: empty })).toThrow(
      `${join(empty, 'result.json')} does not exist: ingest a finished run directory (out/runs/<run-id>)`,
    );
  });
});

describe('ingestRun of an interrupted run', () => {
  it('records it as an executed drill, as interrupted', () => {
    const { historyDir } = history();
    const record = ingestRun({ historyDir, runDir: runDirWith(fixture('self-test-interrupted')), now: AT });
    expect([record.seq, record.run.outcome, record.run.interrupted?.rollback]).toEqual([
      3,
      'interrupted',
      'rolled-back',
    ]);
  });
});

describe('verifyHistory', () => {
  it('passes an untouched history', () => {
    const { historyDir, second } = history();
    expect(verifyHistory(historyDir)).toEqual({
      ok: true,
      records: 2,
      artifacts: 4,
      head: { seq: 2, chainHash: second.chainHash },
      problems: [],
    });
  });

  it('names an edited record, a deleted artifact and a file added after ingest', () => {
    const { historyDir } = history();
    const recordFile = join(historyDir, 'records', '000001-20261126T070541Z-self-test-c64f.json');
    writeFileSync(
      recordFile,
      readFileSync(recordFile, 'utf8').replace('"verdict": "passed"', '"verdict": "failed"'),
    );
    rmSync(
      join(
        historyDir,
        'artifacts',
        '20261126T063138Z-region-outage-a103',
        'attachments',
        'canary-ledger.csv',
      ),
    );
    writeFileSync(join(historyDir, 'artifacts', '20261126T063138Z-region-outage-a103', 'extra.txt'), 'x');
    expect(verifyHistory(historyDir).problems).toEqual([
      {
        kind: 'record-edited',
        file: 'records/000001-20261126T070541Z-self-test-c64f.json',
        message:
          'records/000001-20261126T070541Z-self-test-c64f.json was edited after ingest: its chain hash does not match its content',
      },
      {
        kind: 'artifact-missing',
        file: 'artifacts/20261126T063138Z-region-outage-a103/attachments/canary-ledger.csv',
        message:
          'artifacts/20261126T063138Z-region-outage-a103/attachments/canary-ledger.csv was deleted (run 20261126T063138Z-region-outage-a103)',
      },
      {
        kind: 'artifact-unexpected',
        file: 'artifacts/20261126T063138Z-region-outage-a103/extra.txt',
        message:
          'artifacts/20261126T063138Z-region-outage-a103/extra.txt is not in record 2: added after ingest',
      },
    ]);
  });

  it('catches a cut tail against the head a previous run published', () => {
    const { historyDir, first, second } = history();
    rmSync(join(historyDir, 'records', '000002-20261126T063138Z-region-outage-a103.json'));
    rmSync(join(historyDir, 'artifacts', '20261126T063138Z-region-outage-a103'), { recursive: true });
    writeFileSync(join(historyDir, 'head.json'), JSON.stringify({ seq: 1, chainHash: first.chainHash }));
    expect(verifyHistory(historyDir).ok).toBe(true);
    expect(verifyHistory(historyDir, second.chainHash).problems.map((p) => p.message)).toEqual([
      `the chain ends at ${first.chainHash}, not at the expected head ${second.chainHash}`,
    ]);
  });
});
