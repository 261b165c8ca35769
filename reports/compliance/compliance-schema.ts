// compliance.json (written by build.ts): the history's summary and its verification. This zod schema is the source of
// reports/compliance/compliance-schema.json (`pnpm drill schema compliance > reports/compliance/compliance-schema.json`);
// compliance-schema.test.ts keeps the file equal to it and the writer's types (record.ts, summary.ts, verify.ts)
// equal to its inferred type.
import { z } from 'zod';
import { runResultSchema } from '../../core/runner/result-schema.ts';

const ms = z.number();
const result = runResultSchema.shape;
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

const remediationItem = z.object({
  source: z.enum(['run', 'step', 'deviation', 'finding', 'undo', 'objective']),
  key: z.string(),
  title: z.string(),
  detail: z.string(),
  severity: z.enum(['info', 'minor', 'major']),
});

export const runSummarySchema = z.object({
  runId: z.string(),
  scenario: z.string(),
  target: z.string(),
  kind: result.target.shape.kind,
  simulation: z.boolean(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  verdict: result.verdict,
  /** Absent in records ingested before it was kept. */
  outcome: z.enum(['planned', 'refused', 'passed', 'failed', 'aborted', 'interrupted', 'error']).optional(),
  interrupted: z
    .object({
      phase: z.string(),
      rollback: z.enum(['rolled-back', 'rollback-incomplete']),
      undone: z.number().int(),
      kept: z.number().int(),
      failed: z.number().int(),
      rolledForward: z.array(z.string()),
    })
    .optional(),
  exitCode: z.number().int(),
  reason: z.string(),
  objectives: z.object({ rto: z.string(), rpo: z.string(), rtoMs: ms, rpoMs: ms }),
  rto: z
    .object({ achievedMs: ms.nullable(), uncertaintyMs: ms, met: z.boolean(), recovered: z.boolean() })
    .nullable(),
  rpo: z
    .object({ achievedMs: ms.nullable(), uncertaintyMs: ms, met: z.boolean(), lostCount: z.number().int() })
    .nullable(),
  clockOffset: result.clockOffset.unwrap().nullable(),
  signOff: z.object({
    approver: z.string().nullable(),
    participants: z.array(z.string()),
    recordedBy: z.enum(['run', 'ingest', 'none']),
  }),
  provenance: result.provenance.unwrap().optional(),
  remediation: z.array(remediationItem),
});

const quarterRow = z.object({
  /** e.g. "2026-Q2" (UTC). */
  quarter: z.string().regex(/^\d{4}-Q[1-4]$/),
  runs: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  last: runSummarySchema.nullable(),
});

const scenarioStatus = z.object({
  scenario: z.string(),
  evidence: z.enum(['live', 'simulation']),
  targets: z.array(z.string()),
  runs: z.number().int(),
  lastRun: runSummarySchema,
  lastCompleted: runSummarySchema.nullable(),
  nextDue: z.iso.datetime().nullable(),
  overdue: z.boolean(),
  daysUntilDue: z.number().nullable(),
  quarters: z.array(quarterRow),
  openRemediation: z.array(remediationItem),
});

export const complianceSummarySchema = z.object({
  generatedAt: z.iso.datetime(),
  cadenceDays: z.number().int(),
  live: z.array(scenarioStatus),
  simulation: z.array(scenarioStatus),
  withoutLiveEvidence: z.array(z.string()),
});

export const verifyReportSchema = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  artifacts: z.number().int(),
  head: z.object({ seq: z.number().int(), chainHash: sha256Hex }).nullable(),
  problems: z.array(
    z.object({
      kind: z.enum([
        'record-unreadable',
        'record-edited',
        'record-missing',
        'head-mismatch',
        'artifact-missing',
        'artifact-tampered',
        'artifact-unexpected',
        'signature-missing',
        'signature-invalid',
      ]),
      /** The file at fault, relative to the history directory. */
      file: z.string(),
      message: z.string(),
    }),
  ),
});

export const complianceReportSchema = z.object({
  summary: complianceSummarySchema,
  verify: verifyReportSchema,
});

/** The JSON Schema of compliance.json (reports/compliance/compliance-schema.json). */
export function complianceJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(complianceReportSchema),
    $id: 'https://luneo.app/drill/compliance-schema.json',
    title: 'drill compliance report (compliance.json)',
  } as Record<string, unknown>;
}
