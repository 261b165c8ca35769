// The drill model: typed identities for scenarios, targets, steps, faults and probes.
// core/ knows nothing of AWS, Kubernetes, Luneo or vitest: everything specific arrives
// through the target's `resources` (typed by the target author) and the step/probe code.

import type { Duration, JsonValue, PlannedCall, RunbookRef } from './model-values.ts';
import type { AbortAlarm, RequiredEnv, SafetyPlatform } from './safety/types.ts';

export type { Duration, JsonValue, PlannedCall, RunbookRef };

export type Verdict = 'passed' | 'failed' | 'aborted' | 'error';

export type Phase =
  | 'plan'
  | 'preflight'
  | 'inject'
  | 'failover'
  | 'recover'
  | 'verify'
  | 'restore'
  | 'report';
export const PHASES: readonly Phase[] = [
  'plan',
  'preflight',
  'inject',
  'failover',
  'recover',
  'verify',
  'restore',
  'report',
];

export interface Objectives {
  /** Recovery time objective, e.g. "30m". */
  rto: Duration;
  /** Recovery point objective, e.g. "5m". */
  rpo: Duration;
  /** How long every recovery probe must keep passing for service to count as restored. */
  stableFor: Duration;
  /** Monthly availability SLO as a fraction, e.g. 0.999. */
  availabilitySlo?: number;
}

/** A statement that the runbook is wrong or misleading at some point, shown next to the step. */
export interface RunbookFinding {
  runbook: RunbookRef;
  says: string;
  actually: string;
  severity: 'info' | 'minor' | 'major';
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** Every mutating call goes through here: recorded before and after, secrets redacted. */
export interface AuditLog {
  mutate<T>(call: PlannedCall, perform: () => Promise<T>): Promise<T>;
}

export interface Attachment {
  name: string;
  contentType: string;
  /** Path under the run directory, relative. */
  path: string;
}

/** Monotonic clock anchored to wall time once per run: durations never jump with NTP. */
export interface Clock {
  /** Monotonic milliseconds since the run started. */
  now(): number;
  /** Wall-clock time for a monotonic reading (display only). */
  wall(mono: number): Date;
  /** Monotonic time of T0, once the fault is confirmed injected. */
  readonly t0: number | undefined;
}

export interface RunContext<R = unknown> {
  readonly runId: string;
  readonly scenario: Scenario<R>;
  readonly target: Target<R>;
  /** Aborted on operator abort, abort condition or second Ctrl-C. Pass it to every call. */
  readonly signal: AbortSignal;
  readonly dryRun: boolean;
  readonly clock: Clock;
  readonly log: Logger;
  readonly audit: AuditLog;
  /** State shared between steps and probes of one run (e.g. a canary writer handle). */
  readonly state: Map<string, unknown>;
  /** Write an attachment into the run directory and list it in the result. */
  attach(name: string, contentType: string, body: string | Uint8Array): Promise<Attachment>;
}

export interface StepOutcome {
  detail?: string;
  /** JSON data the undo needs (journaled, so `drill rollback` can undo after a crash). */
  undoData?: JsonValue;
  /** Named instants (monotonic ms) or numbers the step measured, e.g. { promotedAt: 1234 }. */
  measurements?: Record<string, number>;
}

export interface StepDefinition<R = unknown> {
  /** Stable id within the scenario; defaults to a slug of the title. */
  id?: string;
  title: string;
  runbook?: RunbookRef;
  /** Planned offset from T0 (runbook §13), e.g. "5m". */
  plannedAt?: Duration;
  timeout?: Duration;
  /** Failure is recorded as a deviation but does not fail the drill (e.g. primary region unreachable). */
  bestEffort?: boolean;
  /** The calls this step would make, for --dry-run and permission checks. */
  plan?(ctx: RunContext<R>): PlannedCall[];
  run(ctx: RunContext<R>): Promise<StepOutcome | undefined>;
  /** Registered before `run` starts; receives the undoData journaled by run (undefined if run never returned). */
  undo?(ctx: RunContext<R>, undoData: JsonValue | undefined): Promise<void>;
  /** A step that cannot be undone says so and names its way back. */
  irreversible?: { reason: string; wayBack: string };
  findings?: RunbookFinding[];
}

export interface FaultDefinition<R = unknown> {
  title: string;
  runbook?: RunbookRef;
  /** How long the fault stays injected unless reverted earlier, e.g. "10m". */
  duration?: Duration;
  timeout?: Duration;
  plan?(ctx: RunContext<R>): PlannedCall[];
  /**
   * Resolves once the fault is confirmed injected. T0 is `measurements.faultEffectiveAt` (monotonic ms: when the
   * fault took effect, e.g. the FIS action's startTime) if given, else the instant this resolves.
   */
  inject(ctx: RunContext<R>): Promise<StepOutcome | undefined>;
  revert(ctx: RunContext<R>, undoData: JsonValue | undefined): Promise<void>;
  findings?: RunbookFinding[];
}

export interface ProbeOutcome {
  ok: boolean;
  detail?: string;
  latencyMs?: number;
  data?: JsonValue;
  /**
   * A passing check that makes several requests: the instant (run clock) the service was proven serving, e.g. an
   * order's POST answered 201 before it was read back. Default: when the whole check answered.
   */
  servedAt?: number;
}

export interface ProbeDefinition<R = unknown> {
  name: string;
  description?: string;
  runbook?: RunbookRef;
  /** Sampling interval when run continuously, e.g. "250ms". */
  interval?: Duration;
  timeout?: Duration;
  /** The calls one check makes (reads), listed by --dry-run. */
  plan?(ctx: RunContext<R>): PlannedCall[];
  check(ctx: RunContext<R>, opts: { signal: AbortSignal }): Promise<ProbeOutcome>;
}

/** One write of a canary ledger, in monotonic ms (ackedAt null: never acknowledged). */
export interface LedgerWrite {
  seq: number;
  sentAt: number;
  ackedAt: number | null;
}

/** Writes sequence-numbered rows from before T0 and, after failover, reads what survived: the RPO. */
export interface WriteLedger<R = unknown> {
  name: string;
  /** Time between writes, e.g. "100ms". */
  interval?: Duration;
  /** How long it writes before the fault is injected (default "2s"), so the loss window is measured, not guessed. */
  warmup?: Duration;
  /** The calls it makes (reads and its own writes), listed by --dry-run. */
  plan?(ctx: RunContext<R>): PlannedCall[];
  start(ctx: RunContext<R>): Promise<void>;
  /** Stop writing (called right after the fault is injected and confirmed). */
  stop(ctx: RunContext<R>): Promise<void>;
  /** After recovery: every write attempted, and the seqs readable on the new primary. */
  collect(
    ctx: RunContext<R>,
  ): Promise<{ writes: LedgerWrite[]; survivors: number[]; reportedLagMs?: number | null }>;
}

/** Something that runs through the drill (load, k6) and reports a summary at the end. */
export interface BackgroundActivity<R = unknown> {
  name: string;
  /** The calls it makes to the target's AWS or Kubernetes APIs (the plan, and so the IAM policy, lists them). */
  plan?(ctx: RunContext<R>): PlannedCall[];
  start(ctx: RunContext<R>): Promise<void>;
  stop(ctx: RunContext<R>): Promise<JsonValue>;
}

export interface Scenario<R = unknown> {
  name: string;
  summary: string;
  objectives: Objectives;
  /** Must all pass before the fault is injected. */
  steadyState: ProbeDefinition<R>[];
  fault: FaultDefinition<R>;
  /** Runbook failover steps, in order. */
  failover: StepDefinition<R>[];
  /** Sampled continuously from T0; RTO ends when all pass for `stableFor`. */
  recovery: ProbeDefinition<R>[];
  /** Checked once after recovery. */
  verify: ProbeDefinition<R>[];
  /** Run after verify (and on abort, after the undo stack). */
  restore?: StepDefinition<R>[];
  /** Measures achieved RPO. */
  ledger?: WriteLedger<R>;
  /** Continuous activity during the drill, e.g. load. */
  background?: BackgroundActivity<R>[];
  /** Target used when the command line names none (default "lab"). */
  defaultTarget?: string;
  /** How long to wait for recovery after the last failover step before giving up. */
  recoveryTimeout?: Duration;
  tags?: string[];
}

export interface Target<R = unknown> {
  name: string;
  description: string;
  /** `lab` targets run on the embedded lab; `live` targets need --execute and pass guardrails. */
  kind: 'lab' | 'live';
  aws: {
    /** Primary region first. */
    regions: string[];
    /** Allowed AWS account ids (checked with STS GetCallerIdentity on live targets). */
    accountIds?: string[];
    /** Explicit endpoint (the lab); live targets use the default chain. */
    endpoint?: string;
  };
  kube?: { contexts: Record<string, string>; kubeconfig?: string };
  /** Objectives the target's owner signed; a scenario's own objectives apply where absent. */
  objectives?: Partial<Objectives>;
  /** Logical name → real resource bindings, typed by the target author. */
  resources: R;
  /** Guardrail and gate answers (STS, FIS, alarms, the drill lock) and abort alarms: core/safety/types.ts. */
  safety?: TargetSafety<R>;
  /**
   * What the target learns only once it is up (the lab: its endpoints, credentials and ids, from its lab.json):
   * resolved once per run, before the first call, by the actions' connection (actions/connection.ts), so that no
   * action knows where a target gets them. Given the target's static resources; its answer overrides them.
   */
  connect?(opts: { resources: R }): Promise<TargetConnection<R>>;
  /**
   * Gets the target ready for a run that will execute (never for a dry run), e.g. starts an ephemeral lab;
   * returns what undoes it, called when the run is over.
   */
  prepare?(opts: { log: (line: string) => void }): Promise<(() => Promise<void>) | undefined>;
  /**
   * Starts what prepare() would, ahead of it: `pnpm drill` calls it while vitest and its worker start up, and the
   * worker's prepare() of the same run adopts it. Returns what to call once the run is over (undoes what no worker adopted).
   */
  prepareAhead?(opts: { log: (line: string) => void; runId: string }): Promise<() => Promise<void>>;
  /**
   * Manual checkpoints confirm themselves at once (recorded via: auto) instead of waiting for a person. Default: true
   * on lab targets, false on live ones; `--auto-confirm` / `--no-auto-confirm` override it for one run.
   */
  autoConfirm?: boolean;
}

/** What a target resolves when a run connects to it (Target.connect): overrides of its static bindings. */
export interface TargetConnection<R = unknown> {
  aws?: {
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    /** The account the calls go to (for ARNs), when the target's allow-list does not say it. */
    accountId?: string;
  };
  kube?: { kubeconfig?: string };
  /** Bindings known only once the target is up (ids, URLs): they replace the target's own. */
  resources?: Partial<R>;
}

/** `Target.safety`: optional for lab targets; live targets need a platform (the guardrails refuse without). */
export interface TargetSafety<R = unknown> {
  /** Customer-facing alarms, distinct from the outage alarms the drill expects to fire. */
  abortAlarms?: AbortAlarm[];
  /** Abort alarms are ignored this long after T0 (the fault's own blast), default "1m". */
  abortAlarmGrace?: Duration;
  /** How often abort conditions are checked, default "5s". */
  checkEvery?: Duration;
  /** Environment variable that sets the account id, named when the account is still a placeholder. */
  accountIdFrom?: string;
  /** Environment variables the target reads its settings from: unset, the drill refuses (a dry run says it would). */
  requiredEnv?: RequiredEnv[];
  platform?(ctx: RunContext<R>): Promise<SafetyPlatform>;
}

/** Typed identity, like vitest's defineConfig: returns its argument unchanged. */
export function defineScenario<R>(scenario: Scenario<R>): Scenario<R> {
  return scenario;
}
export function defineTarget<R>(target: Target<R>): Target<R> {
  return target;
}
export function defineStep<R>(step: StepDefinition<R>): StepDefinition<R> {
  return step;
}
export function defineFault<R>(fault: FaultDefinition<R>): FaultDefinition<R> {
  return fault;
}
export function defineProbe<R>(probe: ProbeDefinition<R>): ProbeDefinition<R> {
  return probe;
}
