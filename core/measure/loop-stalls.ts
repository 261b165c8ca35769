// Stalls of this thread's event loop: spans during which nothing here could run (a busy engine, a starved process).
// A request in flight across a stall is answered late for reasons of our own, not of the service it measures.

/** How often the loop is looked at; lateness beyond STALL_MIN_MS is recorded as a stall. */
const TICK_MS = 10;
const STALL_MIN_MS = 2;
/** A span is recorded from the instant its tick was due: the loop may have been blocked up to a tick (and the
 *  threshold) before that, so a stamp this close to a span may have been delayed by it. */
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
   * How much of [sent, answered] a stall of ours may have taken from a request's measured latency: the stall the send
   * fell into (the request left when it ended) and the stall the answer was read at the end of (the answer may have
   * come in as it began: a tick before its recorded start, when the loop last ran). A stall in between, while the
   * request waited on the network, delays neither instant; nor does one the loop came out of, ran a tick, and went on
   * (a loop late a few ms at every tick is not stalled). Call after looked(), so that a stall ending at `answered`
   * is recorded.
   */
  delayingStamps(sent: number, answered: number): number {
    const spans = this.spans.filter(([a, b]) => b > sent && a < answered);
    const atSend = spans.find(([a]) => a <= sent + UNSEEN_MS);
    const atAnswer = spans.findLast(([, b]) => b >= answered - UNSEEN_MS);
    const sendStall = atSend ? Math.min(atSend[1], answered) - sent : 0;
    const answerStall = atAnswer ? answered - Math.max(atAnswer[0] - UNSEEN_MS, sent) : 0;
    return Math.min(answered - sent, sendStall + answerStall);
  }
}
