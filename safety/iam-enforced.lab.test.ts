// Issue 19: the policy `pnpm drill iam-policy aurora-outage --target lab` generates is enough to RUN the drill, with
// the lab enforcing IAM on every call of the drill role as AWS does (lab/aws/iam/authorize.ts), not only to pass the
// preflight's simulation; without one of its statements the drill is refused at the preflight, which names it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, runDrill } from '../core/cli/spawn-drill.ts';
import { SECONDARY_REGION } from '../lab/regions.ts';
import {
  type EnforcedLab,
  type PolicyDocument,
  startEnforcedLab,
  withoutStatement,
} from './testing/iam-enforced.ts';

const SCENARIO = 'aurora-outage';
let lab: EnforcedLab;
let policy: PolicyDocument;

beforeAll(async () => {
  lab = await startEnforcedLab('iam-enforced');
  policy = await lab.generatePolicy(SCENARIO);
}, 180_000);
afterAll(async () => lab?.close(), 60_000);

describe(`${SCENARIO} with IAM enforced on every call`, { timeout: 600_000 }, () => {
  // First: the refusal touches nothing, so the passing run after it starts from a clean lab.
  it('without the statement that grants the failover, the preflight refuses naming it; nothing is injected', async () => {
    const failover = policy.Statement.find((s) => s.Action.includes('rds:FailoverGlobalCluster'));
    expect(failover, JSON.stringify(policy)).toBeDefined();
    const sid = failover?.Sid as string;
    await lab.setPolicy(withoutStatement(policy, sid));
    const before = await lab.mutations();
    const out = join(lab.outDir, 'refused');
    const { code, output } = await runDrill([SCENARIO, '--in-process', '--out', out], lab.env);
    expect(code, output.slice(-4000)).toBe(5);
    expect(output).toContain('rds:FailoverGlobalCluster');
    expect(output).toContain('refused to start, nothing was injected');
    const after = await lab.mutations();
    const changed = Object.keys(after).filter((op) => after[op] !== before[op]);
    // Only the drill's lock secret was written (taken, then released).
    expect(changed.filter((op) => !['CreateSecret', 'PutSecretValue'].includes(op))).toEqual([]);

    // The lab enforces it too: the failover itself, sent with the drill's credentials, is refused and not applied.
    const [globalArn, targetArn] = [':global-cluster:', ':cluster:'].map((kind) =>
      failover?.Resource.find((r) => r.includes(kind)),
    );
    const rds = new RDSClient({
      region: SECONDARY_REGION,
      endpoint: lab.info.aws.endpoint,
      credentials: { accessKeyId: lab.info.aws.accessKeyId, secretAccessKey: lab.info.aws.secretAccessKey },
      maxAttempts: 1,
    });
    const refused = await rds
      .send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: globalArn?.split(':').at(-1),
          TargetDbClusterIdentifier: targetArn,
          AllowDataLoss: true,
        }),
      )
      .then(
        () => null,
        (e: Error) => e,
      );
    rds.destroy();
    expect(refused?.name).toBe('AccessDenied');
    expect(refused?.message).toContain(
      `not authorized to perform: rds:FailoverGlobalCluster on resource: ${globalArn}`,
    );
    expect((await lab.mutations()).FailoverGlobalCluster).toBe(after.FailoverGlobalCluster);
    expect(lab.refusals().some((line) => line.includes('rds:FailoverGlobalCluster'))).toBe(true);
  });

  it('with the generated policy the drill passes, and IAM refused none of its calls', async () => {
    await lab.setPolicy(policy);
    const from = lab.logLength();
    const out = join(lab.outDir, 'passed');
    const { code, output } = await runDrill([SCENARIO, '--in-process', '--out', out], lab.env);
    expect(code, output.slice(-4000)).toBe(0);
    const result = JSON.parse(readFileSync(join(runDirIn(out) as string, 'result.json'), 'utf8')) as {
      verdict?: string;
    };
    expect(result.verdict).toBe('passed');
    expect(lab.refusals(from)).toEqual([]);
  });
});
