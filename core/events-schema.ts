// The event stream a run emits (core/events.ts), as the contract for reporters, the live view and OTLP exporters.
// This zod schema is the source of the DrillEvent type and of core/events-schema.json
// (`pnpm drill schema events > core/events-schema.json`); a test keeps the two equal.
import { z } from 'zod';
import { runResultSchema } from './runner/result-schema.ts';

const ms = z.number();
const result = runResultSchema.shape;
const phase = result.phases.element.shape.phase;

export const stepStatusSchema = result.steps.element.shape.status;
export const undoStatusSchema = z.enum(['done', 'failed', 'skipped']);

const base = {
  /** Monotonic ms since the run started. */
  at: ms,
  /** Epoch ms of the same instant (display and Allure timings only). */
  wallMs: ms,
  /** ms since T0, once the fault is injected. */
  sinceT0Ms: ms.optional(),
};

const event = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) =>
  z.strictObject({ ...base, kind: z.literal(kind), ...shape });

export const drillEventSchema = z.discriminatedUnion('kind', [
  event('run-start', {
    runId: z.string(),
    scenario: z.string(),
    target: z.string(),
    dryRun: z.boolean(),
    runDir: z.string(),
    /** The objectives the run is measured against (scenario, overridden by the target), e.g. for a live RTO clock. */
    objectives: z.object({ rto: z.string(), rpo: z.string(), stableFor: z.string() }).optional(),
  }),
  event('plan', { steps: result.plan }),
  event('phase-start', { phase }),
  event('phase-end', {
    phase,
    status: z.enum(['ok', 'failed', 'aborted', 'skipped']),
    durationMs: ms,
    detail: z.string().optional(),
  }),
  event('step-start', {
    phase,
    stepId: z.string(),
    title: z.string(),
    runbook: z.string().optional(),
    plannedAtMs: ms.optional(),
  }),
  event('step-end', {
    phase,
    stepId: z.string(),
    title: z.string(),
    status: stepStatusSchema,
    durationMs: ms,
    plannedAtMs: ms.optional(),
    lateByMs: ms.optional(),
    detail: z.string().optional(),
    error: z.string().optional(),
    /** Named instants (monotonic ms) or numbers the step measured, e.g. { promotedAt: 1234 }. */
    measurements: z.record(z.string(), z.number()).optional(),
  }),
  event('probe-sample', {
    phase,
    probe: z.string(),
    ok: z.boolean(),
    latencyMs: ms.optional(),
    detail: z.string().optional(),
    /** How many items the probe found lost (it may still pass: the loss is within its bound). */
    lost: z.number().int().optional(),
    /** Which of the scenario's probe lists the check belongs to (result.json's probes.steadyState/recovery/verify). */
    role: z.enum(['steady-state', 'recovery', 'verify']).optional(),
    /** Monotonic ms the check was sent (a recovery sample counts there, whenever it answered). */
    sentAtMs: ms.optional(),
    /** Monotonic ms its answer (or timeout) came back. */
    answeredAtMs: ms.optional(),
    /** A pass whose check made several requests: when the service was proven serving. */
    servedAtMs: ms.optional(),
    /** How long the engine's event loop was stalled while the check was in flight. */
    stalledMs: ms.optional(),
    /** The probe's structured outcome (redacted), e.g. `{ loss: { what, count } }`. */
    data: z.json().optional(),
  }),
  event('undo', {
    /** The undo's id in the stack ("fault" or "<phase>:<stepId>"), as `undo-registered` named it. */
    undoId: z.string().optional(),
    stepId: z.string(),
    title: z.string(),
    status: undoStatusSchema,
    durationMs: ms,
    error: z.string().optional(),
    note: z.string().optional(),
  }),
  /** A manual checkpoint (actions/manual.ts): waiting for a person, then confirmed (who, how, after how long) or timed out. */
  event('checkpoint', {
    phase,
    stepId: z.string(),
    title: z.string(),
    state: z.enum(['waiting', 'confirmed', 'timed-out']),
    instruction: z.string().optional(),
    runbook: z.string().optional(),
    /** The checkpoint's bound, and what happens when nobody answers within it. */
    waitUpToMs: ms,
    onTimeout: z.enum(['abort', 'continue']),
    /** Who confirmed, and through what: the terminal prompt, the live page, or auto-confirm (lab, CI). */
    by: z.string().optional(),
    via: z.enum(['terminal', 'page', 'auto']).optional(),
    /** ISO time the confirmation was written. */
    confirmedAt: z.string().optional(),
    waitedMs: ms.optional(),
  }),
  // The record kinds below carry what `drill rollback` needs to replay a run (core/journal.ts folds them).
  /** The process writing the events that follow: the run itself, or a `drill rollback` of it. */
  event('process', {
    pid: z.number().int(),
    role: z.enum(['run', 'rollback']),
    scenarioFile: z.string().optional(),
    targetKind: z.enum(['lab', 'live']),
    targetFile: z.string().optional(),
  }),
  /** An undo pushed on the stack, before its step (or the fault) runs: a half-applied step is still undone. */
  event('undo-registered', {
    undoId: z.string(),
    undoKind: z.enum(['fault', 'step']),
    stepId: z.string(),
    title: z.string(),
  }),
  /** What the step returned for its undo (redacted: a secret in it is masked, and the rollback cannot use it). */
  event('undo-data', { undoId: z.string(), undoData: z.json() }),
  /** A step that cannot be undone started: rolling back keeps the failover, and this is the way back. */
  event('irreversible', {
    phase,
    stepId: z.string(),
    title: z.string(),
    reason: z.string(),
    wayBack: z.string(),
  }),
  /** The fault took effect: `t0Ms` (monotonic ms, like `at`) may be earlier than the event, e.g. the FIS start time. */
  event('t0', {
    t0Ms: ms,
    /** The same instant as wall time (ISO), as result.json's t0. */ t0At: z.string(),
  }),
  /** The target's drill lock: taken, not taken, released (by the run or `drill rollback`), or left held. */
  event('lock', {
    where: z.string(),
    status: z.enum(['held', 'released', 'not-taken', 'release-failed']),
    detail: z.string().optional(),
  }),
  /** The run departed from its plan without failing: a late or best-effort step, a roll forward, a cleanup that failed. */
  event('deviation', { stepId: z.string().optional(), deviationKind: z.string(), message: z.string() }),
  /** `drill rollback` is done: the run's state, and its verdict and reason when the rollback rewrote them. */
  event('rollback-end', {
    state: z.enum(['rolled-back', 'rollback-incomplete']),
    done: z.number().int(),
    failed: z.number().int(),
    verdict: result.verdict.optional(),
    reason: z.string().optional(),
  }),
  // The result kinds below carry the rest of what result.json records (core/runner/run-record.ts folds them).
  /** Why the run failed, one finding per event, in the order found (the verdict's reason joins them). */
  event('failure', { message: z.string() }),
  /** A file a step or probe attached to the run (under the run directory). */
  event('attachment', result.attachments.element.shape),
  /** The ledger or a background activity: starting, started, stopping, or stopped (with its summary or error). */
  event('background', {
    name: z.string(),
    role: z.enum(['ledger', 'activity']),
    state: z.enum(['starting', 'started', 'stopping', 'stopped']),
    summary: z.json().optional(),
    error: z.string().optional(),
  }),
  /** The achieved RTO (core/measure), measured over the recovery samples of `probes` once sampling stopped. */
  event('rto', { rto: result.rto.unwrap(), probes: z.array(z.string()) }),
  /** The achieved RPO (core/measure), from the ledger's writes and survivors. */
  event('rpo', { rpo: result.rpo.unwrap() }),
  /** An abort after an irreversible step finished the failover first: what it ran, where it stopped, whether it serves. */
  event('roll-forward', {
    after: z.object({ stepId: z.string(), title: z.string() }),
    cause: z.literal('failure').optional(),
    done: z.array(z.string()),
    failed: z.object({ title: z.string(), error: z.string(), left: z.array(z.string()) }).optional(),
    serving: z
      .object({
        ok: z.boolean(),
        probes: z.array(z.string()),
        afterMs: ms,
        rounds: z.number().int(),
        failures: z.record(z.string(), z.string()),
        timeoutMs: ms,
      })
      .optional(),
  }),
  /** A guardrail or preflight gate and its outcome (refused: why the drill did not start). */
  event('safety-check', result.safety.unwrap().shape.checks.element.shape),
  /** An abort condition met (the operator, the RTO budget, an alarm): the run aborts and rolls back. */
  event('abort-condition', {
    condition: result.safety.unwrap().shape.abort.unwrap().shape.condition,
    reason: z.string(),
    /** ms since T0 when it was met (null: before T0), as result.json's safety.abort records it. */
    metSinceT0Ms: ms.nullable(),
  }),
  event('log', { level: z.enum(['info', 'warn', 'debug']), message: z.string() }),
  event('run-end', {
    verdict: result.verdict,
    /** What kind of run it was (planned and refused runs are told apart from passed and failed drills). */
    outcome: z.enum(['planned', 'refused', 'passed', 'failed', 'aborted', 'interrupted', 'error']),
    reason: z.string(),
    exitCode: z.number().int(),
    /** A refusal's problems, each with its fix: printed as one block under the verdict. */
    refusal: z.object({ heading: z.string(), problems: z.array(z.string()) }).optional(),
    runDir: z.string(),
    rtoMs: ms.nullable(),
    rpoMs: ms.nullable(),
    /** The measurements in full, for the closing summary (phase split, lost writes). */
    rto: result.rto.optional(),
    rpo: result.rpo.optional(),
    pendingWayBacks: z.array(z.object({ stepId: z.string(), title: z.string(), wayBack: z.string() })),
  }),
]);

export type DrillEvent = z.infer<typeof drillEventSchema>;

/** The JSON Schema of one event (core/events-schema.json). */
export function eventsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(drillEventSchema),
    $id: 'https://luneo.app/drill/events-schema.json',
    title: 'drill run event (one event of the stream a run emits)',
  } as Record<string, unknown>;
}
