// Control-plane faults for safety tests: a seeded share of calls is throttled, fails with 5xx, or times out.

export interface ControlPlaneFaults {
  throttleRate?: number;
  errorRate?: number;
  /** The call is applied but never answered (the client times out and may retry: idempotency matters). */
  timeoutRate?: number;
  /**
   * Share of APPLIED mutations whose answer is lost (the connection drops after the change was made): the
   * client sees a network error and retries, so only an idempotent client applies the change once. Fast,
   * unlike timeoutRate, which waits for the client's request timeout.
   */
  lostAnswerRate?: number;
  seed?: number;
}

export type FaultDecision = 'throttle' | 'error' | 'timeout' | 'none';

/** mulberry32: small, seedable, good enough to spread faults reproducibly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultDice {
  private faults: ControlPlaneFaults | null = null;
  private random: () => number = Math.random;

  set(faults: ControlPlaneFaults | null): void {
    for (const [name, rate] of Object.entries(faults ?? {})) {
      if (name !== 'seed' && (typeof rate !== 'number' || rate < 0 || rate > 1)) {
        throw new RangeError(
          `setControlPlaneFaults: ${name} must be a number between 0 and 1, got ${String(rate)}`,
        );
      }
    }
    this.faults = faults;
    this.random = faults?.seed !== undefined ? mulberry32(faults.seed) : Math.random;
  }

  roll(): FaultDecision {
    const f = this.faults;
    if (!f) return 'none';
    const r = this.random();
    const throttle = f.throttleRate ?? 0;
    const error = throttle + (f.errorRate ?? 0);
    const timeout = error + (f.timeoutRate ?? 0);
    if (r < throttle) return 'throttle';
    if (r < error) return 'error';
    if (r < timeout) return 'timeout';
    return 'none';
  }

  /** Rolled once per applied mutation: whether its answer is lost. */
  loseAnswer(): boolean {
    const rate = this.faults?.lostAnswerRate ?? 0;
    return rate > 0 && this.random() < rate;
  }
}
