// result.json, versioned. This zod schema is the source; core/result-schema.json is generated from it
// (`pnpm drill schema > core/result-schema.json`) and a test keeps the two equal.
import { z } from 'zod';

const ms = z.number();
const plannedCall = z.object({
  service: z.string(),
  operation: z.string(),
  scope: z.string().optional(),
  params: z.record(z.string(), z.json()).optional(),
  mutating: z.boolean(),
});
const probeResult = z.object({
  name: z.string(),
  ok: z.boolean(),
  latencyMs: ms.optional(),
  detail: z.string().optional(),
  /** The probe's structured outcome, e.g. `{ loss: { what, count, items? } }` or `{ backlog: { what, count, bytes? } }`. */
  data: z.json().optional(),
});
/** One recovery sample (monotonic ms like steps); detail only on failures, to keep result.json small. */
const probeSample = z.object({
  probe: z.string(),
  /** When the check was sent (a timed-out check counts here). */
  atMs: ms,
  /** When its answer or timeout came back (from schemaVersion 2). */
  answeredAtMs: ms.optional(),
  /** A pass whose check made several requests: when the service was proven serving (e.g. the order's POST took it). */
  servedAtMs: ms.optional(),
  /** How long the engine's event loop was stalled while the sample was in flight (a delay of ours). */
  stalledMs: ms.optional(),
  ok: z.boolean(),
  latencyMs: ms.optional(),
  detail: z.string().optional(),
});

/** 2: rto/rpo carry their evidence bracket (lowerMs, upperMs) and samples their answer instant. */
export const RESULT_SCHEMA_VERSION = 2;

/** The true value lies in [lowerMs, upperMs] (ms; upperMs null: unbounded); absent in version-1 results. */
const bracket = { lowerMs: ms.nullable().optional(), upperMs: ms.nullable().optional() };

export const runResultSchema = z.object({
  /** Version 1 results (no bracket) stay readable: the reports show them as "± uncertainty". */
  schemaVersion: z.union([z.literal(1), z.literal(RESULT_SCHEMA_VERSION)]),
  runId: z.string(),
  scenario: z.object({ name: z.string(), summary: z.string(), file: z.string().optional() }),
  target: z.object({ name: z.string(), kind: z.enum(['lab', 'live']), file: z.string().optional() }),
  dryRun: z.boolean(),
  verdict: z.enum(['passed', 'failed', 'aborted', 'error']),
  /** 0 passed, 1 failed, 3 aborted, 4 error, 5 refused (or, dry run, would refuse). */
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(3), z.literal(4), z.literal(5)]),
  reason: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  durationMs: ms,
  t0: z.iso.datetime().nullable(),
  objectives: z.object({
    rto: z.string(),
    rpo: z.string(),
    stableFor: z.string(),
    rtoMs: ms,
    rpoMs: ms,
    stableForMs: ms,
  }),
  phases: z.array(
    z.object({
      phase: z.enum(['plan', 'preflight', 'inject', 'failover', 'recover', 'verify', 'restore', 'report']),
      status: z.enum(['ok', 'failed', 'aborted', 'skipped']),
      startMs: ms,
      endMs: ms,
      durationMs: ms,
      detail: z.string().optional(),
    }),
  ),
  steps: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      phase: z.enum(['inject', 'failover', 'restore']),
      runbook: z.string().optional(),
      status: z.enum(['ok', 'failed', 'deviation', 'aborted', 'skipped']),
      startMs: ms,
      endMs: ms,
      durationMs: ms,
      sinceT0Ms: ms.optional(),
      plannedAtMs: ms.optional(),
      lateByMs: ms.optional(),
      detail: z.string().optional(),
      error: z.string().optional(),
      measurements: z.record(z.string(), z.number()).optional(),
    }),
  ),
  rto: z
    .object({
      achievedMs: ms.nullable(),
      ...bracket,
      /** The ± that covers the bracket around achievedMs (version 1: the probe interval). */
      uncertaintyMs: ms,
      recovered: z.boolean(),
      objectiveMs: ms,
      met: z.boolean(),
      outageStartMs: ms.nullable(),
      phases: z.array(z.object({ name: z.string(), startMs: ms, endMs: ms, durationMs: ms })),
      lastFailures: z.record(z.string(), z.string()),
    })
    .nullable(),
  rpo: z
    .object({
      achievedMs: ms.nullable(),
      ...bracket,
      /** The ± that covers the bracket around achievedMs (version 1: the canary interval). */
      uncertaintyMs: ms,
      objectiveMs: ms,
      met: z.boolean(),
      lostCount: z.number().int(),
      lostSeqs: z.array(z.number().int()),
      totalLoss: z.boolean(),
      acknowledgedCount: z.number().int(),
      reportedLagMs: ms.nullable(),
    })
    .nullable(),
  probes: z.object({
    steadyState: z.array(probeResult),
    recovery: z.array(
      z.object({
        name: z.string(),
        samples: z.number().int(),
        failures: z.number().int(),
        /** The last structured outcome this probe gave while sampled. */
        data: z.json().optional(),
      }),
    ),
    verify: z.array(probeResult),
    /** Every recovery sample from T0 (the availability timeline); absent in results written before it was kept. */
    samples: z.array(probeSample).optional(),
  }),
  undo: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['fault', 'step']),
      stepId: z.string(),
      title: z.string(),
      status: z.enum(['done', 'failed', 'skipped']),
      durationMs: ms,
      error: z.string().optional(),
      note: z.string().optional(),
    }),
  ),
  irreversible: z.array(
    z.object({ stepId: z.string(), title: z.string(), reason: z.string(), wayBack: z.string() }),
  ),
  deviations: z.array(z.object({ stepId: z.string().optional(), kind: z.string(), message: z.string() })),
  findings: z.array(
    z.object({
      stepId: z.string(),
      runbook: z.string(),
      says: z.string(),
      actually: z.string(),
      severity: z.enum(['info', 'minor', 'major']),
    }),
  ),
  plan: z.array(z.object({ stepId: z.string(), title: z.string(), calls: z.array(plannedCall) })),
  background: z.array(
    z.object({ name: z.string(), summary: z.json().optional(), error: z.string().optional() }),
  ),
  attachments: z.array(z.object({ name: z.string(), contentType: z.string(), path: z.string() })),
  /** Guardrails and preflight gates (refused: why the drill did not start), the drill lock, the abort condition met. */
  safety: z
    .object({
      checks: z.array(
        z.object({
          name: z.string(),
          status: z.enum(['ok', 'refused', 'skipped', 'unknown']),
          detail: z.string(),
        }),
      ),
      lock: z
        .object({
          where: z.string(),
          status: z.enum(['held', 'released', 'not-taken', 'release-failed']),
          detail: z.string().optional(),
        })
        .nullable(),
      abort: z
        .object({
          condition: z.enum(['operator', 'rto-budget', 'alarm']),
          reason: z.string(),
          sinceT0Ms: ms.nullable(),
        })
        .nullable(),
    })
    .optional(),
  /** Set when the run's wall time was shifted (--clock-offset): history for tests and demos, not evidence. */
  clockOffset: z.object({ offset: z.string(), offsetMs: ms, realStartedAt: z.iso.datetime() }).optional(),
  /**
   * Set when the run was killed (no verdict in its journal) and `drill rollback` finished it: the run's outcome is
   * "interrupted" (core/runner/outcome.ts). What each undo did is in `undo`; the steps it ran to finish the
   * failover first (roll forward) are named here.
   */
  interrupted: z
    .object({
      /** The phase the run was in when it died, its pid, and its last journal write. */
      phase: z.enum(['plan', 'preflight', 'inject', 'failover', 'recover', 'verify', 'restore', 'report']),
      pid: z.number().int(),
      lastSeenAt: z.iso.datetime(),
      rollback: z.object({
        at: z.iso.datetime(),
        state: z.enum(['rolled-back', 'rollback-incomplete']),
        rolledForward: z.array(z.string()),
        /** Set when a roll forward did not finish, or finished without the service serving again. */
        rollForwardFailed: z.string().optional(),
      }),
    })
    .optional(),
  /** Who approved the drill and who took part (--approver / --participants, or DRILL_APPROVER / DRILL_PARTICIPANTS). */
  signOff: z.object({ approver: z.string().nullable(), participants: z.array(z.string()) }).optional(),
  /** Which build of the tool ran (version, git commit), from which CI run, as which AWS identity (STS). */
  provenance: z
    .object({
      tool: z.object({ version: z.string(), commit: z.string().nullable(), dirty: z.boolean() }),
      ci: z
        .object({
          url: z.string(),
          runId: z.string(),
          attempt: z.number().int(),
          repository: z.string(),
          workflow: z.string().optional(),
          ref: z.string().optional(),
          actor: z.string().optional(),
        })
        .optional(),
      caller: z
        .union([z.object({ account: z.string(), arn: z.string() }), z.object({ error: z.string() })])
        .optional(),
    })
    .optional(),
});

export type RunResult = z.infer<typeof runResultSchema>;

/** The JSON Schema committed as core/result-schema.json. */
export function resultJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(runResultSchema),
    $id: 'https://luneo.app/drill/result-schema.json',
    title: 'drill run result (result.json)',
  } as Record<string, unknown>;
}
