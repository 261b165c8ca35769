import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabResource } from '../../../lab/aws/backend.ts';
import { type Harness, startHarness } from '../../../lab/aws/testing/harness.ts';
import type { LuneoResources } from '../resources.ts';
import { testRun } from '../testing.ts';
import type { NetworkOutageOptions } from './fault.ts';
import { fisTargetsWithinQuota } from './fis-quota.ts';

let lab: Harness;
let dir: string;

beforeEach(async () => {
  lab = await startHarness();
  dir = lab.labDir('drill-fis-quota-');
});
afterEach(async () => {
  await lab.close();
});

/** `n` subnets of a three-AZ VPC in eu-west-1, all tagged for the drill. */
function subnets(n: number): LabResource[] {
  return Array.from({ length: n }, (_, i) => ({
    arn: `arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-az${i}`,
    type: 'aws:ec2:subnet',
    region: 'eu-west-1',
    tags: { Vpc: 'three-az', DisruptSubnet: 'Allowed' },
    id: `subnet-az${i}`,
  }));
}

const outage: NetworkOutageOptions = {
  name: 'quota-check',
  title: 'every subnet of the VPC loses its network',
  subnets: () => ({ Vpc: 'three-az' }),
  duration: '15m',
};

function run(fis: Partial<LuneoResources['fis']> = {}) {
  const base = testRun().target.resources.fis;
  return testRun({ lab: { dir }, fis: { ...base, stopConditionAlarmArn: undefined, ...fis } });
}

describe('fisTargetsWithinQuota', () => {
  it('counts the tag-selected subnets with a skip-all preview that injects nothing', async () => {
    lab.backend.labResources.push(...subnets(3));
    const ctx = run();
    const outcome = await fisTargetsWithinQuota(outage).check(ctx, { signal: ctx.signal });
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.detail).toMatch(
      /^3 subnet\(s\) selected by tag \{"Vpc":"three-az"\}, within "Target Subnets for aws:network:disrupt-connectivity" \(5\)/,
    );
    expect(lab.backend.faults).toEqual([]);
    expect(ctx.audited.map((c) => [c.operation, c.params?.experimentOptions ?? null])).toEqual([
      ['CreateExperimentTemplate', null],
      ['StartExperiment', { actionsMode: 'skip-all' }],
    ]);
  });

  it('refuses nine subnets (3 AZs × 3 tiers) past the default quota of 5, naming the quota and how to raise it', async () => {
    lab.backend.labResources.push(...subnets(9));
    const ctx = run();
    const outcome = await fisTargetsWithinQuota(outage).check(ctx, { signal: ctx.signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toContain('failed: The targets resolved to 9 resources');
    expect(outcome.detail).toContain(
      'raise "Target Subnets for aws:network:disrupt-connectivity" in Service Quotas (AWS Fault Injection Service, code L-1F59732D): ' +
        'aws service-quotas request-service-quota-increase --service-code fis --quota-code L-1F59732D --desired-value 6 --region eu-west-1',
    );
    expect(lab.backend.faults).toEqual([]);
  });

  it("refuses by its own count when the target's quota is lower than what the tags select", async () => {
    lab.backend.labResources.push(...subnets(4));
    const ctx = run({ targetSubnetQuota: 3 });
    const outcome = await fisTargetsWithinQuota(outage).check(ctx, { signal: ctx.signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toMatch(
      /^quota-check selects 4 subnets by tag \{"Vpc":"three-az"\}, more than "Target Subnets for aws:network:disrupt-connectivity" \(3\) lets one experiment target: FIS would fail it with QuotaExceededFailure\. raise .* --desired-value 4 /,
    );
  });
});
