// A readiness check: one precondition of a drill on a target, checked with read-only calls only. The target's
// safety platform supplies the list (apps/luneo/safety/readiness.ts for Luneo); `pnpm drill preflight` prints it
// and the drill's live preflight refuses on it (core/safety/gates.ts), so the two run the same list.
import type { PlannedCall } from '../model-values.ts';

export type ReadinessStatus = 'pass' | 'fail' | 'could-not-check';

export interface ReadinessResult {
  /** The check, e.g. `alarm luneo-prod-alb-5xx`. */
  name: string;
  status: ReadinessStatus;
  /** What was found, or why it could not be checked. */
  reason: string;
  /** The command or setting that repairs it (fail and could-not-check). */
  fix?: string;
}

export interface ReadinessCheck {
  name: string;
  /** Every call the check may make: read-only, and checked so (core/preflight/read-only.test.ts). */
  calls: PlannedCall[];
  run(signal: AbortSignal): Promise<ReadinessResult[]>;
}
