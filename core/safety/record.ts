// What a run knows of its own safety while it runs: the checks, the lock, the abort, and the live handles (platform,
// lock store, abort monitor). Kept on the DrillRun; result.json records `record`.
import type { AbortMonitor } from './abort-conditions.ts';
import type { LockStore, SafetyCheck, SafetyPlatform } from './types.ts';

export interface SafetyRecord {
  checks: SafetyCheck[];
  lock: {
    where: string;
    status: 'held' | 'released' | 'not-taken' | 'release-failed';
    detail?: string;
  } | null;
  abort: { condition: 'operator' | 'rto-budget' | 'alarm'; reason: string; sinceT0Ms: number | null } | null;
}

/** Per-run safety state, kept on the DrillRun; the lock is a fold of the run's lock events (its RunRecord). */
export class RunSafety {
  readonly record: Omit<SafetyRecord, 'lock'> = { checks: [], abort: null };
  platform: SafetyPlatform | undefined;
  lockStore: LockStore | undefined;
  monitor: AbortMonitor | undefined;
}
