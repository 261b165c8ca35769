import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDuration } from '../../../core/duration.ts';
import { type Harness, startHarness } from '../../../lab/aws/testing/harness.ts';
import { testRun } from '../testing.ts';
import { failedOver, REJOIN_WAIT_ENV, rejoinWaitFromEnv } from './restoration.ts';

let lab: Harness;
let dir: string;

beforeEach(async () => {
  lab = await startHarness();
  dir = lab.labDir('drill-rejoin-');
  // Failed over: us-east-1 writes, eu-west-1 is being rebuilt as a secondary.
  lab.backend.roles = { 'eu-west-1': 'rebuilding', 'us-east-1': 'writer' };
  lab.backend.sync['eu-west-1'] = 'pending-resync';
});
afterEach(async () => {
  await lab.close();
});

function run() {
  const ctx = testRun({ lab: { dir } });
  const lines: string[] = [];
  return { ctx: { ...ctx, log: { ...ctx.log, info: (m: string) => void lines.push(m) } }, lines };
}

describe('failedOver (switchback steady state)', () => {
  it('refuses at once, saying why and how to wait, while the old primary is pending-resync and no wait is allowed', async () => {
    const { ctx } = run();
    const outcome = await failedOver({ rejoinWait: '0s' }).check(ctx, { signal: ctx.signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      'luneo-prod-aurora-primary is pending-resync (global cluster available): the switchback needs it to be a connected ' +
        'secondary. After an unplanned failover Aurora rebuilds the old primary as a secondary, which can take a few minutes ' +
        'to several hours. Run the switchback once its SynchronizationStatus is connected (aws rds describe-global-clusters ' +
        '--region us-east-1), or let it wait longer: DRILL_REJOIN_WAIT=2h (now 0s)',
    );
  });

  it('waits for the rejoin with progress, and passes once the old primary is a connected secondary', async () => {
    const { ctx, lines } = run();
    const rejoined = setTimeout(() => {
      lab.backend.roles['eu-west-1'] = 'replica';
      lab.backend.sync['eu-west-1'] = 'connected';
    }, 1500);
    try {
      const outcome = await failedOver({ rejoinWait: '1m' }).check(ctx, { signal: ctx.signal });
      expect(outcome.ok, outcome.detail).toBe(true);
      expect(outcome.detail).toMatch(
        /^writer luneo-prod-aurora-secondary; luneo-prod-aurora-primary is a connected secondary after waiting \d/,
      );
      expect(lines[0]).toMatch(
        /^switchback: waiting for luneo-prod-aurora-primary to rejoin: luneo-prod-aurora-primary is pending-resync \(global cluster available\), waited \d+ms of 1m$/,
      );
    } finally {
      clearTimeout(rejoined);
    }
  });

  it('refuses once the bound has passed without a rejoin', async () => {
    const { ctx } = run();
    const outcome = await failedOver({ rejoinWait: '1s' }).check(ctx, { signal: ctx.signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toMatch(
      /^luneo-prod-aurora-primary is pending-resync \(global cluster available\) after 1/,
    );
    expect(outcome.detail).toContain('DRILL_REJOIN_WAIT=2h (now 1s)');
  });

  it('takes its bound from DRILL_REJOIN_WAIT (10 minutes when unset) and refuses one that is not a duration', () => {
    expect(rejoinWaitFromEnv({})).toBe('10m');
    expect(rejoinWaitFromEnv({ [REJOIN_WAIT_ENV]: '3h' })).toBe('3h');
    expect(() => rejoinWaitFromEnv({ [REJOIN_WAIT_ENV]: 'soon' })).toThrow(
      'DRILL_REJOIN_WAIT=soon is not a duration such as 45m, 2h or 0s',
    );
  });

  it("gives the probe a deadline the engine can parse: the wait's bound plus room to answer", () => {
    for (const [wait, ms] of [
      ['10m', 630_000],
      ['0s', 30_000],
      ['2h', 7_230_000],
    ] as const) {
      expect(parseDuration(failedOver({ rejoinWait: wait }).timeout ?? '')).toBe(ms);
    }
  });
});
