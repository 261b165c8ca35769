import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SCHEMA_DOCUMENTS } from '../../core/cli/schema-documents.ts';
import { PROJECT_ROOT } from '../../core/registry.ts';
import { buildComplianceReport } from './build.ts';
import { complianceJsonSchema, complianceReportSchema } from './compliance-schema.ts';
import { ARTIFACTS_DIR, ingestRun } from './store.ts';
import type { ComplianceSummary } from './summary.ts';
import { fixture, runDirWith } from './testing.ts';
import type { VerifyReport } from './verify.ts';

/** Every object type rebuilt, so `SignOff & { recordedBy }` compares equal to the same fields in one object. */
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
/** Strict type equality (optional vs. required-but-undefined, `| undefined` and `| null` all count). */
type Same<A, B> =
  (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;

const SCHEMA_FILE = join(PROJECT_ROOT, SCHEMA_DOCUMENTS.compliance.file);
const committed = () => JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));

/** compliance.json as build.ts writes it, from a history of the real fixtures: a lab run, a memory self-test, a
 * killed-then-rolled-back run, and the lab run replayed as live evidence; one artifact edited after ingest. */
async function realComplianceJson(): Promise<Record<string, unknown>> {
  const historyDir = mkdtempSync(join(tmpdir(), 'compliance-history-'));
  const live = fixture('region-outage');
  const runs = [
    fixture('self-test'),
    fixture('self-test-interrupted'),
    fixture('region-outage'),
    { ...live, runId: `${live.runId}-live`, target: { ...live.target, kind: 'live' as const } },
  ];
  for (const result of runs)
    ingestRun({ historyDir, runDir: runDirWith(result), now: new Date(result.endedAt) });
  const tampered = join(historyDir, ARTIFACTS_DIR, runs[0]?.runId ?? '', 'attachments', 'canary-ledger.csv');
  writeFileSync(tampered, 'seq,ack\n1,false\n');
  const outDir = mkdtempSync(join(tmpdir(), 'compliance-out-'));
  const files = await buildComplianceReport({
    historyDir,
    outDir,
    pdf: false,
    now: new Date('2026-12-01T00:00:00Z'),
  });
  return JSON.parse(readFileSync(files.json, 'utf8')) as Record<string, unknown>;
}

describe('compliance.json schema', () => {
  let document: Record<string, unknown>;
  beforeAll(async () => {
    document = await realComplianceJson();
  });

  it('reports/compliance/compliance-schema.json is the schema generated from the zod source (regenerate: pnpm drill schema compliance > reports/compliance/compliance-schema.json)', () => {
    expect(committed()).toEqual(complianceJsonSchema());
  });

  it("is the writer's types: record.ts, summary.ts and verify.ts say what the schema says", () => {
    const same: Same<
      z.infer<typeof complianceReportSchema>,
      { summary: ComplianceSummary; verify: VerifyReport }
    > = true;
    expect(same).toBe(true);
  });

  it('the compliance.json the report writes is valid, under the zod source and under the committed JSON Schema', () => {
    const summary = document.summary as ComplianceSummary;
    const verify = document.verify as VerifyReport;
    expect(summary.live.length).toBeGreaterThan(0);
    expect(summary.simulation.length).toBeGreaterThan(0);
    expect(verify.problems.map((p) => p.kind)).toContain('artifact-tampered');
    expect(complianceReportSchema.safeParse(document).error?.issues).toBeUndefined();
    expect(z.fromJSONSchema(committed()).safeParse(document).error?.issues).toBeUndefined();
  });

  it('rejects a broken document, naming the field', () => {
    const verify = document.verify as VerifyReport;
    const broken = { ...document, verify: { ...verify, head: { ...verify.head, chainHash: 'not-a-hash' } } };
    const outcome = complianceReportSchema.safeParse(broken);
    expect(outcome.error?.issues.map((i) => i.path)).toEqual([['verify', 'head', 'chainHash']]);
    expect(z.fromJSONSchema(committed()).safeParse(broken).success).toBe(false);
  });
});
