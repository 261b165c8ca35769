// What a run holds of its own safety while it runs: the live handles (platform, lock store, abort monitor). The
// checks, the lock and the abort that result.json records are a fold of the run's events (its RunRecord).
import type { AbortMonitor } from './abort-conditions.ts';
import type { LockStore, SafetyPlatform } from './types.ts';

/** Per-run safety handles, kept on the DrillRun. */
export class RunSafety {
  platform: SafetyPlatform | undefined;
  lockStore: LockStore | undefined;
  monitor: AbortMonitor | undefined;
}
