// Issue 19: a history whose writer edits a record and re-chains it (every chain hash and the head recomputed)
// passes the chain check; it must fail on the signatures, which only the key the writer does not hold can make.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { chainHashOf, GENESIS_HASH, type HistoryRecord } from './record.ts';
import { generateSigningKey, signHistory } from './signing.ts';
import { HEAD_FILE, ingestRun, RECORDS_DIR, recordFiles } from './store.ts';
import { fixture, runDirWith } from './testing.ts';
import { verifyHistory } from './verify.ts';

/** A history of two signed records, its key pair, and another key pair (an attacker's). */
function signedHistory() {
  const root = mkdtempSync(join(tmpdir(), 'compliance-signing-'));
  const historyDir = join(root, 'history');
  const key = generateSigningKey(join(root, 'team-key'));
  const other = generateSigningKey(join(root, 'attacker-key'));
  for (const name of ['region-outage', 'self-test'] as const) {
    ingestRun({ historyDir, runDir: runDirWith(fixture(name)) });
    signHistory(historyDir, key.privateKeyFile);
  }
  return { historyDir, key, other };
}

/** What a writer of the history can do: edit record 1, then recompute every chain hash and the head. */
function editAndRechain(historyDir: string, edit: (r: HistoryRecord) => void): void {
  let prev = GENESIS_HASH;
  for (const name of recordFiles(historyDir)) {
    const file = join(historyDir, RECORDS_DIR, name);
    const record = JSON.parse(readFileSync(file, 'utf8')) as HistoryRecord;
    if (record.seq === 1) edit(record);
    const { chainHash: _old, ...body } = { ...record, prevChainHash: prev };
    const rechained = { ...body, chainHash: chainHashOf(body) };
    writeFileSync(file, `${JSON.stringify(rechained, null, 2)}\n`);
    writeFileSync(
      join(historyDir, HEAD_FILE),
      JSON.stringify({ seq: record.seq, chainHash: rechained.chainHash }),
    );
    prev = rechained.chainHash;
  }
}

describe('signed compliance records', () => {
  it('a signed history verifies with the trusted public key', () => {
    const { historyDir, key } = signedHistory();
    const report = verifyHistory(historyDir, undefined, key.publicKeyFile);
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(2);
  });

  it('a tampered and re-chained history passes the chain check but fails on the signatures', () => {
    const { historyDir, key } = signedHistory();
    editAndRechain(historyDir, (r) => {
      r.run.verdict = 'passed';
      r.run.reason = 'every objective met';
    });
    expect(verifyHistory(historyDir).problems).toEqual([]);
    const problems = verifyHistory(historyDir, undefined, key.publicKeyFile).problems;
    expect(problems.map((p) => [p.kind, p.file])).toEqual([
      ['signature-invalid', `signatures/${recordFiles(historyDir)[0]}.sig.json`],
      ['signature-invalid', `signatures/${recordFiles(historyDir)[1]}.sig.json`],
    ]);
  });

  it('re-signing the rewrite with another key does not help; unsigned records are named', () => {
    const { historyDir, key, other } = signedHistory();
    editAndRechain(historyDir, (r) => {
      r.run.verdict = 'passed';
    });
    rmSync(join(historyDir, 'signatures'), { recursive: true });
    signHistory(historyDir, other.privateKeyFile);
    const problems = verifyHistory(historyDir, undefined, key.publicKeyFile).problems;
    expect(problems.map((p) => p.kind)).toEqual(['signature-invalid', 'signature-invalid']);
    expect(problems[0]?.message).toContain('not by the trusted key');
    rmSync(join(historyDir, 'signatures'), { recursive: true });
    expect(verifyHistory(historyDir, undefined, key.publicKeyFile).problems.map((p) => p.kind)).toEqual([
      'signature-missing',
      'signature-missing',
    ]);
  });

  it('`compliance verify --public-key` exits 1 on the re-chained history, 0 on the signed one', async () => {
    const { historyDir, key } = signedHistory();
    const verify = () => main(['verify', '--history', historyDir, '--public-key', key.publicKeyFile]);
    expect(await verify()).toBe(0);
    editAndRechain(historyDir, (r) => {
      r.run.reason = `${r.run.reason} (reviewed)`;
    });
    expect(await verify()).toBe(1);
  });
});

describe('provenance in the record', () => {
  it("a record keeps the run's provenance (tool commit, CI run, AWS caller), under its chain hash and signature", () => {
    const root = mkdtempSync(join(tmpdir(), 'compliance-provenance-'));
    const provenance = {
      tool: { version: '0.1.0', commit: 'a'.repeat(40), dirty: false },
      ci: {
        url: 'https://github.com/acme/drill/actions/runs/1/attempts/1',
        runId: '1',
        attempt: 1,
        repository: 'acme/drill',
      },
      caller: { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/dr-drill/gha-1' },
    };
    const record = ingestRun({
      historyDir: join(root, 'history'),
      runDir: runDirWith({ ...fixture('region-outage'), provenance }),
    });
    expect(record.run.provenance).toEqual(provenance);
    expect(
      chainHashOf({
        ...record,
        run: { ...record.run, provenance: { ...provenance, caller: { account: 'x', arn: 'y' } } },
      }),
    ).not.toBe(record.chainHash);
  });
});
