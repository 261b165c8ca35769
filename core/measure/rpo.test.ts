import { describe, expect, it } from 'vitest';
import type { LedgerWrite } from '../model.ts';
import { computeRpo } from './rpo.ts';

/** Writes seq 1..n sent every 100 ms from 0, each acked 20 ms later unless listed in `unacked`. */
function ledger(n: number, unacked: number[] = []): LedgerWrite[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = i + 1;
    const sentAt = i * 100;
    return { seq, sentAt, ackedAt: unacked.includes(seq) ? null : sentAt + 20 };
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('computeRpo', () => {
  it('reports 0 when every acknowledged write survived', () => {
    const r = computeRpo({ writes: ledger(10), survivors: range(1, 10), intervalMs: 100, reportedLagMs: 40 });
    expect(r).toEqual({
      rpoMs: 0,
      lowerMs: 0,
      upperMs: 0,
      uncertaintyMs: 0,
      lostSeqs: [],
      lostCount: 0,
      lastAckedSeq: 10,
      newestSurvivorSeq: 10,
      totalLoss: false,
      unackedSurvivors: [],
      acknowledgedCount: 10,
      reportedLagMs: 40,
    });
  });

  it('measures a partial loss from the newest survivor to the last acknowledged write', () => {
    // 1..7 survived, 8..10 acknowledged then lost: 920 − 620 = 300 ms.
    const r = computeRpo({ writes: ledger(10), survivors: new Set(range(1, 7)), intervalMs: 100 });
    expect(r.rpoMs).toBe(300);
    // the loss began after #7 was sent (600) and before #8 was acknowledged (720); #10 committed in [900, 920]
    expect([r.lowerMs, r.upperMs]).toEqual([180, 320]);
    expect(r.uncertaintyMs).toBe(120);
    expect(r.lostSeqs).toEqual([8, 9, 10]);
    expect(r.lostCount).toBe(3);
    expect(r.lastAckedSeq).toBe(10);
    expect(r.newestSurvivorSeq).toBe(7);
    expect(r.totalLoss).toBe(false);
    expect(r.reportedLagMs).toBeNull();
  });

  it('gives a lower bound from the first acknowledged write on total loss', () => {
    const writes = [
      { seq: 1, sentAt: 50, ackedAt: null },
      { seq: 2, sentAt: 150, ackedAt: 170 },
      { seq: 3, sentAt: 250, ackedAt: 290 },
    ];
    const r = computeRpo({ writes, survivors: [], intervalMs: 100 });
    expect(r.totalLoss).toBe(true);
    expect(r.rpoMs).toBe(140);
    expect([r.lowerMs, r.upperMs]).toEqual([140, null]);
    expect(r.lostSeqs).toEqual([2, 3]);
    expect(r.lastAckedSeq).toBe(3);
    expect(r.newestSurvivorSeq).toBeNull();
  });

  it('counts committed writes whose ack was lost as survivors, not losses', () => {
    const r = computeRpo({ writes: ledger(6, [5, 6]), survivors: [1, 2, 3, 4, 6], intervalMs: 100 });
    expect(r.unackedSurvivors).toEqual([6]);
    expect(r.lostSeqs).toEqual([]);
    expect(r.rpoMs).toBe(0);
    expect(r.lastAckedSeq).toBe(4);
    expect(r.acknowledgedCount).toBe(4);
  });

  it('orders by acknowledgement time when acks arrive out of seq order', () => {
    const writes = [
      { seq: 1, sentAt: 0, ackedAt: 10 },
      { seq: 2, sentAt: 100, ackedAt: 400 }, // slow ack
      { seq: 3, sentAt: 200, ackedAt: 220 },
      { seq: 4, sentAt: 300, ackedAt: 320 },
    ];
    const r = computeRpo({ writes, survivors: [1, 3, 4], intervalMs: 100 });
    expect(r.lastAckedSeq).toBe(2);
    expect(r.newestSurvivorSeq).toBe(4);
    expect(r.rpoMs).toBe(80);
    expect(r.lostSeqs).toEqual([2]);
  });

  it('reports 0 but lists the hole when an older acknowledged write is missing', () => {
    const r = computeRpo({ writes: ledger(5), survivors: [1, 2, 4, 5], intervalMs: 100 });
    expect(r.rpoMs).toBe(0);
    expect(r.lostSeqs).toEqual([3]);
    expect(r.lostCount).toBe(1);
  });

  it('breaks equal acknowledgement times by the greater seq', () => {
    const writes = [
      { seq: 1, sentAt: 0, ackedAt: 50 },
      { seq: 2, sentAt: 10, ackedAt: 50 },
    ];
    const r = computeRpo({ writes, survivors: [1], intervalMs: 100 });
    expect(r.lastAckedSeq).toBe(2);
    expect(r.newestSurvivorSeq).toBe(1);
    expect(r.rpoMs).toBe(0);
    expect(r.lostSeqs).toEqual([2]);
  });

  it('returns null when nothing was ever acknowledged, ignoring survivors outside the ledger', () => {
    const r = computeRpo({ writes: ledger(3, [1, 2, 3]), survivors: [2, 99], intervalMs: 250 });
    expect(r).toEqual({
      rpoMs: null,
      lowerMs: null,
      upperMs: null,
      uncertaintyMs: 250,
      lostSeqs: [],
      lostCount: 0,
      lastAckedSeq: null,
      newestSurvivorSeq: null,
      totalLoss: false,
      unackedSurvivors: [2],
      acknowledgedCount: 0,
      reportedLagMs: null,
    });
  });

  it('handles an empty ledger', () => {
    const r = computeRpo({ writes: [], survivors: [], intervalMs: 100 });
    expect(r.rpoMs).toBeNull();
    expect(r.totalLoss).toBe(false);
  });

  it('copes with a long ledger (no argument spreading)', () => {
    const writes = ledger(200_000);
    const r = computeRpo({ writes, survivors: [], intervalMs: 100 });
    expect(r.rpoMs).toBe(199_999 * 100 + 20);
    expect(r.lostCount).toBe(200_000);
  });
});
