import type { ServerResponse } from 'node:http';

export interface TrafficStats {
  requests: number;
  errors5xx: number;
  /** Response count by status code, e.g. { "200": 12, "503": 2 }. */
  byStatus: Record<string, number>;
}

/** Counts each response once: when it is fully sent, or when its connection closes before that. */
export class TrafficCounter {
  #stats: TrafficStats = { requests: 0, errors5xx: 0, byStatus: {} };

  track(res: ServerResponse): void {
    this.#stats.requests++;
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      // A response cut before its headers went out reached the client as a broken connection: a 502.
      const status = res.headersSent ? res.statusCode : 502;
      if (status >= 500) this.#stats.errors5xx++;
      this.#stats.byStatus[status] = (this.#stats.byStatus[status] ?? 0) + 1;
    };
    // 'finish' precedes the client reading the last byte, so stats are exact once a response is read.
    res.once('finish', count);
    res.once('close', count);
  }

  snapshot(): TrafficStats {
    return { ...this.#stats, byStatus: { ...this.#stats.byStatus } };
  }
}
