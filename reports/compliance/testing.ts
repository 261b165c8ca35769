// Test helpers: real result.json files (a lab region-outage, a memory self-test, and a self-test killed with SIGKILL
// during failover then finished by `drill rollback`) kept as fixtures.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../core/runner/result-schema.ts';

export const fixture = (name: 'region-outage' | 'self-test' | 'self-test-interrupted'): RunResult =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.result.json`), 'utf8')) as RunResult;

/** A run directory holding `result` plus an attachment and a pid file (plumbing, not evidence). */
export function runDirWith(result: RunResult, root = mkdtempSync(join(tmpdir(), 'compliance-run-'))): string {
  const dir = join(root, result.runId);
  mkdirSync(join(dir, 'attachments'), { recursive: true });
  writeFileSync(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, 'attachments', 'canary-ledger.csv'), 'seq,ack\n1,true\n');
  writeFileSync(join(dir, 'worker.pid'), '12345');
  return dir;
}
