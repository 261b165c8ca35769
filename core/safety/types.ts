// What a target tells the engine about its own safety: abort alarms, and a platform that answers the
// guardrail and gate questions (who are we, what runs there, who holds the lock). core/ never talks to
// AWS itself: the target supplies the platform (targets/luneo-safety.ts for the Luneo targets). `Target.safety`
// (TargetSafety, which hands a RunContext to the platform) lives with the model, so these types import nothing of it.
import type { PlannedCall } from '../model-values.ts';
import type { ReadinessCheck } from '../preflight/types.ts';

/** A customer-facing CloudWatch alarm: in ALARM after the grace period, the drill aborts. */
export interface AbortAlarm {
  name: string;
  region: string;
}

/** Who holds a target's drill lock. */
export interface LockOwner {
  runId: string;
  scenario: string;
  host: string;
  pid: number;
  startedAt: string;
}

export type LockAcquire = { acquired: true } | { acquired: false; holder: LockOwner };
export type LockRelease = 'released' | 'not-held' | 'held-by-other';

/** One lock per target, taken atomically; never stolen, released by its run or by `drill rollback`. */
export interface LockStore {
  /** Where the lock lives, for messages, e.g. `Secrets Manager secret drill/lock/prod in eu-west-1`. */
  readonly where: string;
  tryAcquire(owner: LockOwner, signal: AbortSignal): Promise<LockAcquire>;
  read(signal: AbortSignal): Promise<LockOwner | undefined>;
  /** Releases the lock only when `runId` holds it. */
  release(runId: string, signal: AbortSignal): Promise<LockRelease>;
}

export interface CallerIdentity {
  account: string;
  arn: string;
}

export interface ActiveExperiment {
  id: string;
  state: string;
  region: string;
  templateId?: string;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';

export interface AlarmReading {
  name: string;
  region: string;
  state: AlarmStateValue;
  reason?: string;
}

export interface PermissionReport {
  /** False when the target cannot tell (e.g. the caller may not simulate its own policies); `note` says why. */
  checked: boolean;
  note?: string;
  /** Actions the caller may not perform, e.g. `rds:FailoverGlobalCluster` on a resource ARN, `in us-east-1`,
   *  with the simulator's decision (`implicitDeny`, `explicitDeny`). No resource: the plan named none (`*`). */
  denied: { action: string; resource?: string; scope?: string; decision: string }[];
  /** How many distinct actions were checked. */
  actions: number;
}

/**
 * The questions the guardrails, gates and abort conditions ask of a target. Every member is optional:
 * what a platform cannot answer is reported as not checked (and refused on a live target where it matters).
 */
export interface SafetyPlatform {
  /** STS GetCallerIdentity. */
  callerIdentity?(signal: AbortSignal): Promise<CallerIdentity>;
  /** The contexts present in the kubeconfig the run uses. */
  kubeContexts?(signal: AbortSignal): Promise<{ kubeconfig: string; contexts: string[] }>;
  /** FIS experiments in state initiating or running, in these regions. */
  activeExperiments?(regions: string[], signal: AbortSignal): Promise<ActiveExperiment[]>;
  /** Replication lag the platform reports now (AuroraGlobalDBRPOLag, the lab's replay lag); null: unknown. */
  replicationLagMs?(signal: AbortSignal): Promise<number | null>;
  alarmStates?(alarms: AbortAlarm[], signal: AbortSignal): Promise<AlarmReading[]>;
  /** Whether the caller may make every call of the plan (IAM policy simulation). */
  checkPermissions?(calls: PlannedCall[], signal: AbortSignal): Promise<PermissionReport>;
  /** The drill lock; targets without one get a file lock in the out directory. */
  lock?: LockStore;
  /** The target's read-only readiness checks for a plan (core/preflight): `pnpm drill preflight` runs them, and
   *  so does a live drill's preflight (runPreflightGates), one list for both. */
  readiness?(calls: PlannedCall[]): ReadinessCheck[];
  /** The reads the members above make (caller identity, experiments, alarms, lag, simulation, lock). */
  readCalls?: PlannedCall[];
  close?(): Promise<void> | void;
}

/** A setting a target reads from the environment, and what to set it to. */
export interface RequiredEnv {
  name: string;
  /** The fix, e.g. "the Route 53 hosted zone id of luneo.app. (aws route53 list-hosted-zones-by-name ...)". */
  setTo: string;
  /** Only when the plan has this step or probe (e.g. "ecommerce-webhooks"); default: every drill needs it. */
  neededBy?: string;
}

export type SafetyCheckStatus = 'ok' | 'refused' | 'skipped' | 'unknown';

/** One guardrail or gate outcome, as result.json records it. */
export interface SafetyCheck {
  name: string;
  status: SafetyCheckStatus;
  detail: string;
}

export type AbortCondition = 'operator' | 'rto-budget' | 'alarm';
