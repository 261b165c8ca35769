// Control-plane faults for safety tests: a seeded share of calls is throttled, fails with 5xx, or times out.
// The shares are exact per block of 100 calls (dealt from a shuffled deck): a rate of 1 % times out exactly one
// call in each 100, at a random place, so a short run meets every fault it was given, whatever its call count.

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

/** Calls per deck: each fault kind gets its share of every block of this many calls. */
export const FAULT_BLOCK = 100;

const KINDS = ['throttle', 'error', 'timeout'] as const;

export class FaultDice {
  private faults: ControlPlaneFaults | null = null;
  private random: () => number = Math.random;
  private deck: FaultDecision[] = [];
  /** Fractions of a call owed to the next block (a rate of 0.015 deals 1, then 2, then 1...). */
  private owed: Record<(typeof KINDS)[number], number> = { throttle: 0, error: 0, timeout: 0 };

  set(faults: ControlPlaneFaults | null): void {
    for (const [name, rate] of Object.entries(faults ?? {})) {
      if (name !== 'seed' && (typeof rate !== 'number' || rate < 0 || rate > 1)) {
        throw new RangeError(
          `setControlPlaneFaults: ${name} must be a number between 0 and 1, got ${String(rate)}`,
        );
      }
    }
    const total = (faults?.throttleRate ?? 0) + (faults?.errorRate ?? 0) + (faults?.timeoutRate ?? 0);
    if (total > 1 + 1e-9) {
      throw new RangeError(
        `setControlPlaneFaults: throttleRate + errorRate + timeoutRate must be at most 1, got ${total}`,
      );
    }
    this.faults = faults;
    this.random = faults?.seed !== undefined ? mulberry32(faults.seed) : Math.random;
    this.deck = [];
    this.owed = { throttle: 0, error: 0, timeout: 0 };
  }

  roll(): FaultDecision {
    if (!this.faults) return 'none';
    if (this.deck.length === 0) this.deal();
    return this.deck.pop() as FaultDecision;
  }

  /** Rolled once per applied mutation: whether its answer is lost. */
  loseAnswer(): boolean {
    const rate = this.faults?.lostAnswerRate ?? 0;
    return rate > 0 && this.random() < rate;
  }

  private deal(): void {
    const f = this.faults as ControlPlaneFaults;
    const rates = { throttle: f.throttleRate ?? 0, error: f.errorRate ?? 0, timeout: f.timeoutRate ?? 0 };
    const deck: FaultDecision[] = [];
    for (const kind of KINDS) {
      const share = rates[kind] * FAULT_BLOCK + this.owed[kind];
      const count = Math.floor(share + 1e-9);
      this.owed[kind] = share - count;
      for (let i = 0; i < count; i++) deck.push(kind);
    }
    while (deck.length < FAULT_BLOCK) deck.push('none');
    deck.length = FAULT_BLOCK;
    // Fisher-Yates with the seeded generator: same seed, same places.
    for (let i = deck.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [deck[i], deck[j]] = [deck[j] as FaultDecision, deck[i] as FaultDecision];
    }
    this.deck = deck;
  }
}
