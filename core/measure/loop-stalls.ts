// Stalls of this thread's event loop: spans during which nothing here could run (a busy engine, a starved process).
// A request in flight across a stall is answered late for reasons of our own, not of the service it measures.

/** How often the loop is looked at; lateness beyond STALL_MIN_MS is recorded as a stall. */
const TICK_MS = 10;
const STALL_MIN_MS = 2;

export class LoopStalls {
  /** [from, to] on `now`'s clock, in time order. */
  readonly spans: [number, number][] = [];
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  start(): void {
    let last = this.#now();
    this.#timer = setInterval(() => {
      const now = this.#now();
      const late = now - last - TICK_MS;
      if (late > STALL_MIN_MS) this.spans.push([now - late, now]);
      last = now;
    }, TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** How long the loop was stalled within [from, to]. */
  within(from: number, to: number): number {
    let total = 0;
    for (const [a, b] of this.spans) {
      if (b <= from) continue;
      if (a >= to) break;
      total += Math.min(b, to) - Math.max(a, from);
    }
    return total;
  }
}
