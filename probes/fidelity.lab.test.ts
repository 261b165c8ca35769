// Fidelity: drills through the real engine against an HTTP service that is down for a known interval and a
// PostgreSQL that loses a known window of writes (probes/fidelity-harness.ts records the truth); the truth must lie
// inside the interval the drill reports. Fast failures (connections reset) and one that HANGS (a load balancer that
// accepts and never answers, the database blackholed). The repeated measurement is `pnpm bench fidelity`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FidelityFailure, FidelityHarness, inside } from './fidelity-harness.ts';

let harness: FidelityHarness;
beforeAll(async () => {
  harness = await FidelityHarness.start();
}, 60_000);
afterAll(async () => {
  await harness?.close();
});

describe('fidelity of the measured RTO and RPO', () => {
  const cases: { failure: FidelityFailure; lossMs: number; outageMs: number }[] = [
    { failure: 'reset', lossMs: 450, outageMs: 1_180 },
    { failure: 'reset', lossMs: 730, outageMs: 2_040 },
    { failure: 'reset', lossMs: 1_010, outageMs: 3_110 },
    { failure: 'lb-never-answers', lossMs: 530, outageMs: 2_370 },
  ];
  const seen: string[] = [];

  it.each(cases)(
    '$failure: loses $lossMs ms of writes and is down $outageMs ms',
    async ({ failure, lossMs, outageMs }) => {
      const { result, truth, writes } = await harness.drill(failure, lossMs, outageMs);
      expect({ verdict: result.verdict, reason: result.reason }).toMatchObject({ verdict: 'passed' });

      // RTO: the cut (T0) → the instant the public URL served again, inside the reported bracket.
      const rto = result.rto!;
      expect(rto.recovered).toBe(true);
      const rtoText = `truth ${truth.rtoMs.toFixed(1)} ms, reported ${rto.achievedMs} in [${rto.lowerMs}, ${rto.upperMs}]`;
      expect(inside(truth.rtoMs, rto.lowerMs, rto.upperMs), rtoText).toBe(true);
      expect(inside(rto.achievedMs!, rto.lowerMs, rto.upperMs), rtoText).toBe(true);

      // RPO: the newest lost acknowledged commit − the standby's freeze (database clock), inside the bracket.
      const rpo = result.rpo!;
      const rpoText = `truth ${truth.rpoMs.toFixed(1)} ms, reported ${rpo.achievedMs} in [${rpo.lowerMs}, ${rpo.upperMs}]`;
      expect(inside(truth.rpoMs, rpo.lowerMs, rpo.upperMs), rpoText).toBe(true);
      expect(inside(rpo.achievedMs!, rpo.lowerMs, rpo.upperMs), rpoText).toBe(true);
      seen.push(`${failure}: RTO ${rtoText}; RPO ${rpoText}`);

      // The exact lost set: every acknowledged write after the frozen seq, and nothing else.
      const acked = new Set(writes.filter((w) => w.ackedAt !== null).map((w) => w.seq));
      const expectedLost = writes
        .filter((w) => w.ackedAt !== null && w.seq > truth.frozenSeq)
        .map((w) => w.seq);
      expect(rpo.lostSeqs).toEqual(expectedLost);
      expect(rpo.lostSeqs).toEqual(truth.deleted.filter((seq) => acked.has(seq)));
      // at most one deleted row was never acknowledged: the write in flight when the link was cut
      expect(truth.deleted.filter((seq) => !acked.has(seq)).length).toBeLessThanOrEqual(1);
      expect(rpo.reportedLagMs).toBe(0);
    },
  );

  afterAll(() => {
    console.log(`fidelity:\n  ${seen.join('\n  ')}`);
  });
});
