import { describe, expect, it } from 'vitest';
import { scenarioPlanEntries } from '../../../core/runner/plan-entries.ts';
import { iamQuestions } from '../../../targets/safety/iam-plan.ts';
import regionOutage from '../scenarios/region-outage.ts';
import { testRun } from '../testing.ts';

describe("the S3 artifact writer's plan", () => {
  // Found with IAM enforced on the lab: region-outage's background writer put objects no plan listed, so the
  // generated policy did not grant them and the lab denied every put.
  it('region-outage plans its puts, and the permission plan asks s3:PutObject on any object of the bucket', () => {
    const ctx = testRun();
    const entries = scenarioPlanEntries(regionOutage, (stepId, title, plan) => ({
      stepId,
      title,
      calls: plan ? plan(ctx) : [],
    }));
    const writer = entries.find((e) => e.stepId === 'background:s3-artifacts');
    const bucket = ctx.target.resources.s3?.primaryBucket;
    expect(writer?.calls).toEqual([
      {
        service: 's3',
        operation: 'PutObject',
        scope: ctx.target.resources.primary.region,
        params: { Bucket: bucket, Key: 'drill-artifacts/<run-id>/<seq>.json' },
        mutating: true,
      },
    ]);
    const put = iamQuestions(writer?.calls ?? [], { partition: 'aws', account: '111122223333' }).find(
      (q) => q.action === 's3:PutObject',
    );
    expect(put?.resources).toEqual([`arn:aws:s3:::${bucket}/*`]);
  });
});
