// Achieved RPO from the canary ledger: how much acknowledged data the failover lost.

import type { LedgerWrite } from '../model.ts';

export interface RpoInput {
  /** Every write attempted on the OLD primary (ackedAt null: never acknowledged). */
  writes: LedgerWrite[];
  /** The seqs readable on the new primary after failover. */
  survivors: Iterable<number>;
  /** Time between canary writes (the uncertainty when there is no bracket: nothing acknowledged). */
  intervalMs: number;
  /** Replication lag the platform reported before T0, for the cross-check. */
  reportedLagMs?: number | null;
}

export interface RpoResult {
  /** Time span of acknowledged writes lost (see computeRpo); null when nothing was ever acknowledged. */
  rpoMs: number | null;
  /**
   * The evidence bracket of the true RPO (newest lost acknowledged commit − the instant the loss began): a write
   * commits between its send and its acknowledgement, and the loss began after the newest survivor's send and
   * before the first lost write's acknowledgement. So lowerMs = lastAcked.sentAt − firstLost.ackedAt (at least 0)
   * and upperMs = lastAcked.ackedAt − newestSurvivor.sentAt. Nothing lost: [0, 0]. Total loss: lowerMs as
   * rpoMs, upperMs null (the loss may have begun before the ledger). Nothing acknowledged: both null.
   */
  lowerMs: number | null;
  upperMs: number | null;
  /** The ± that covers the bracket around rpoMs; intervalMs when there is no bracket. */
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
 * - lowerMs/upperMs: see RpoResult. Survivors that are not in `writes` are ignored.
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
    lostSeqs,
    lostCount: lostSeqs.length,
    unackedSurvivors,
    acknowledgedCount: acked.length,
    reportedLagMs: input.reportedLagMs ?? null,
  };
  if (acked.length === 0) {
    return {
      ...common,
      rpoMs: null,
      lowerMs: null,
      upperMs: null,
      uncertaintyMs: input.intervalMs,
      lastAckedSeq: null,
      newestSurvivorSeq: null,
      totalLoss: false,
    };
  }
  const lastAcked = acked.reduce(latestAck);
  const ackedSurvivors = acked.filter((w) => survivors.has(w.seq));
  if (ackedSurvivors.length === 0) {
    const firstSent = acked.reduce((min, w) => Math.min(min, w.sentAt), Number.POSITIVE_INFINITY);
    return {
      ...common,
      rpoMs: lastAcked.ackedAt - firstSent,
      lowerMs: lastAcked.ackedAt - firstSent,
      upperMs: null,
      uncertaintyMs: input.intervalMs,
      lastAckedSeq: lastAcked.seq,
      newestSurvivorSeq: null,
      totalLoss: true,
    };
  }
  const newestSurvivor = ackedSurvivors.reduce(latestAck);
  const rpoMs = lastAcked.ackedAt - newestSurvivor.ackedAt;
  const bracket = lossBracket(lastAcked, newestSurvivor, acked, survivors);
  return {
    ...common,
    rpoMs,
    ...bracket,
    uncertaintyMs: Math.max(rpoMs - bracket.lowerMs, bracket.upperMs - rpoMs),
    lastAckedSeq: lastAcked.seq,
    newestSurvivorSeq: newestSurvivor.seq,
    totalLoss: false,
  };
}

/** [lowerMs, upperMs] of a partial loss (see RpoResult); [0, 0] when the last acknowledged write survived. */
function lossBracket(
  lastAcked: Acked,
  newestSurvivor: Acked,
  acked: Acked[],
  survivors: Set<number>,
): { lowerMs: number; upperMs: number } {
  if (lastAcked === newestSurvivor) return { lowerMs: 0, upperMs: 0 };
  const lostAfter = acked.filter((w) => !survivors.has(w.seq) && w.ackedAt > newestSurvivor.ackedAt);
  const firstLostAck = lostAfter.reduce((min, w) => Math.min(min, w.ackedAt), lastAcked.ackedAt);
  return {
    lowerMs: Math.max(0, lastAcked.sentAt - firstLostAck),
    upperMs: lastAcked.ackedAt - newestSurvivor.sentAt,
  };
}
