// Stalls of this thread's event loop: spans during which nothing here could run (a busy engine, a starved process).
// A request in flight across a stall is answered late for reasons of our own, not of the service it measures.

/** How often the loop is looked at; lateness beyond STALL_MIN_MS is recorded as a stall. */
const TICK_MS = 10;
const STALL_MIN_MS = 2;
/** A span is recorded from the instant its tick was due: the loop may have been blocked up to a tick (and the
 *  threshold) before that, so spans this close together, or this close to a stamp, are one stall. */
const UNSEEN_MS = TICK_MS + STALL_MIN_MS;

export class LoopStalls {
  /** [from, to] on `now`'s clock, in time order. */
  readonly spans: [number, number][] = [];
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #waiting: (() => void)[] = [];

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
      this.#wake();
    }, TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#wake();
  }

  /**
   * Resolves once the loop has been looked at again: a stall that ended just now (the loop ran a callback as soon as
   * it could, before its late tick) is recorded by then. At once when not started.
   */
  looked(): Promise<void> {
    if (this.#timer === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
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

  /**
   * How much of [sent, answered] a stall of ours may have taken from a request's measured latency: the stall that
   * went on from the send instant (the request left late) and the one that ended as the answer was read (it was read
   * late), each widened by what a tick cannot see. A stall in between, while the request waited on the network,
   * delays neither instant. Call after looked(), so that a stall ending at `answered` is recorded.
   */
  delayingStamps(sent: number, answered: number): number {
    const spans = this.spans.filter(([a, b]) => b > sent && a < answered);
    // The stall the send fell into (or that began within a tick after it) ran until sendFreed.
    let sendFreed = sent;
    for (const [a, b] of spans) {
      if (a - UNSEEN_MS > sendFreed) break;
      sendFreed = Math.max(sendFreed, b);
    }
    // The stall the answer was read at the end of (or within a tick after) began at answerHeld.
    let answerHeld = answered;
    for (const [a, b] of [...spans].reverse()) {
      if (b + UNSEEN_MS < answerHeld) break;
      answerHeld = Math.min(answerHeld, a);
    }
    const sendStall = Math.min(sendFreed, answered) - sent;
    const answerStall = answerHeld < answered ? answered - Math.max(answerHeld - UNSEEN_MS, sent) : 0;
    return Math.min(answered - sent, sendStall + answerStall);
  }
}
