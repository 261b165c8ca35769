// Achieved RPO from the canary ledger: how much acknowledged data the failover lost.

import type { LedgerWrite } from '../model.ts';

export interface RpoInput {
  /** Every write attempted on the OLD primary (ackedAt null: never acknowledged). */
  writes: LedgerWrite[];
  /** The seqs readable on the new primary after failover. */
  survivors: Iterable<number>;
  /** Time between canary writes: the uncertainty of the result. */
  intervalMs: number;
  /** Replication lag the platform reported before T0, for the cross-check. */
  reportedLagMs?: number | null;
}

export interface RpoResult {
  /** Time span of acknowledged writes lost (see computeRpo); null when nothing was ever acknowledged. */
  rpoMs: number | null;
  uncertaintyMs: number;
  /** Acknowledged seqs that are not readable on the new primary, ascending. */
  lostSeqs: number[];
  lostCount: number;
  /** The write acknowledged last (greatest ackedAt). */
  lastAckedSeq: number | null;
  /** The surviving acknowledged write acknowledged last. */
  newestSurvivorSeq: number | null;
  /** Writes were acknowledged but none survived. */
  totalLoss: boolean;
  /** Survivors whose acknowledgement never arrived: committed, ack lost in flight; not a loss. Ascending. */
  unackedSurvivors: number[];
  acknowledgedCount: number;
  reportedLagMs: number | null;
}

type Acked = LedgerWrite & { ackedAt: number };

/** Latest acknowledgement wins; equal ack times go to the greater seq. */
function latestAck(a: Acked, b: Acked): Acked {
  return b.ackedAt > a.ackedAt || (b.ackedAt === a.ackedAt && b.seq > a.seq) ? b : a;
}

/**
 * Computes the achieved RPO.
 *
 * - Acknowledged = ackedAt !== null. lastAcked = the acknowledged write with the greatest ackedAt (acks can
 *   arrive out of seq order). newestSurvivor = the acknowledged survivor with the greatest ackedAt.
 * - rpoMs = lastAcked.ackedAt − newestSurvivor.ackedAt: 0 when the last acknowledged write survived.
 *   lostSeqs still lists any older acknowledged write that is missing (a hole), so look at lostCount too.
 * - Total loss (acks exist, no acknowledged survivor): rpoMs = lastAcked.ackedAt − sentAt of the earliest
 *   sent acknowledged write. This is a LOWER BOUND: data written before the ledger started may be lost too.
 * - No acknowledged write at all: rpoMs null (nothing to measure), totalLoss false.
 * - uncertaintyMs = intervalMs. Survivors that are not in `writes` are ignored.
 */
export function computeRpo(input: RpoInput): RpoResult {
  const survivors = new Set(input.survivors);
  const acked = input.writes.filter((w): w is Acked => w.ackedAt !== null);
  const ascending = (a: number, b: number) => a - b;
  const unackedSurvivors = input.writes
    .filter((w) => w.ackedAt === null && survivors.has(w.seq))
    .map((w) => w.seq)
    .sort(ascending);
  const lostSeqs = acked
    .filter((w) => !survivors.has(w.seq))
    .map((w) => w.seq)
    .sort(ascending);
  const common = {
    uncertaintyMs: input.intervalMs,
    lostSeqs,
    lostCount: lostSeqs.length,
    unackedSurvivors,
    acknowledgedCount: acked.length,
    reportedLagMs: input.reportedLagMs ?? null,
  };
  if (acked.length === 0) {
    return { ...common, rpoMs: null, lastAckedSeq: null, newestSurvivorSeq: null, totalLoss: false };
  }
  const lastAcked = acked.reduce(latestAck);
  const ackedSurvivors = acked.filter((w) => survivors.has(w.seq));
  if (ackedSurvivors.length === 0) {
    const firstSent = acked.reduce((min, w) => Math.min(min, w.sentAt), Number.POSITIVE_INFINITY);
    return {
      ...common,
      rpoMs: lastAcked.ackedAt - firstSent,
      lastAckedSeq: lastAcked.seq,
      newestSurvivorSeq: null,
      totalLoss: true,
    };
  }
  const newestSurvivor = ackedSurvivors.reduce(latestAck);
  return {
    ...common,
    rpoMs: lastAcked.ackedAt - newestSurvivor.ackedAt,
    lastAckedSeq: lastAcked.seq,
    newestSurvivorSeq: newestSurvivor.seq,
    totalLoss: false,
  };
}
