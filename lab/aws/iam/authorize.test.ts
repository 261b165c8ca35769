import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateExperimentTemplateCommand, FisClient } from '@aws-sdk/client-fis';
import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SERVED } from '../conformance/extract-models.ts';
import { type Harness, startHarness } from '../testing/harness.ts';
import { AUTHORIZATION } from './authorization-table.ts';
import { enforcedFromEnv } from './authorize.ts';
import { WORKLOAD_CREDENTIALS } from './principals.ts';

const ACCOUNT = '111122223333';
const DRILL = `arn:aws:sts::${ACCOUNT}:assumed-role/luneo-drill/lab`;
const GLOBAL = 'luneo-prod-aurora-global';
const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

let lab: Harness;
beforeAll(async () => {
  lab = await startHarness({ enforceIam: true });
});
afterEach(() => lab.server.setDrillRolePolicy(null));
afterAll(async () => lab?.close());

/** The error an SDK call fails with: its code, HTTP status and message. */
async function refusal(call: Promise<unknown>) {
  const error = (await call.then(
    () => null,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata: { httpStatusCode?: number } } | null;
  return error && { code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}

describe('IAM enforced on every call of the drill role', () => {
  it('refuses a call the policy does not allow, as RDS does (AccessDenied, 403), and applies nothing', async () => {
    lab.server.setDrillRolePolicy(policy({ Effect: 'Allow', Action: 'rds:Describe*', Resource: '*' }));
    const rds = new RDSClient(lab.client('us-east-1'));
    await expect(rds.send(new DescribeGlobalClustersCommand({}))).resolves.toBeDefined();
    const before = lab.server.mutationCounts();
    expect(
      await refusal(
        rds.send(
          new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: GLOBAL,
            TargetDbClusterIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:luneo-prod-aurora-us-east-1`,
            AllowDataLoss: true,
          }),
        ),
      ),
    ).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${DRILL} is not authorized to perform: rds:FailoverGlobalCluster on resource: arn:aws:rds::${ACCOUNT}:global-cluster:${GLOBAL} because no identity-based policy allows the rds:FailoverGlobalCluster action`,
    });
    expect(lab.server.mutationCounts()).toEqual(before);
    rds.destroy();
  });

  it('checks every resource of the call: the target cluster as well as the global cluster', async () => {
    lab.server.setDrillRolePolicy(
      policy({
        Effect: 'Allow',
        Action: 'rds:FailoverGlobalCluster',
        Resource: `arn:aws:rds::${ACCOUNT}:global-cluster:${GLOBAL}`,
      }),
    );
    const rds = new RDSClient(lab.client('us-east-1'));
    const target = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:luneo-prod-aurora-us-east-1`;
    const found = await refusal(
      rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: target,
          AllowDataLoss: true,
        }),
      ),
    );
    expect(found?.message).toContain(`rds:FailoverGlobalCluster on resource: ${target} because`);
    rds.destroy();
  });

  it('an explicit Deny wins over an Allow, and says so', async () => {
    lab.server.setDrillRolePolicy(
      policy(
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'route53:Change*', Resource: 'arn:aws:route53:::hostedzone/*' },
      ),
    );
    const r53 = new Route53Client(lab.client('us-east-1'));
    const found = await refusal(
      r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: lab.server.zoneId(),
          ChangeBatch: { Changes: [] },
        }),
      ),
    );
    expect(found).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${DRILL} is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/${lab.server.zoneId()} with an explicit deny in an identity-based policy`,
    });
    r53.destroy();
  });

  it('JSON services answer AccessDeniedException (Secrets Manager, on the secret ARN)', async () => {
    lab.server.setDrillRolePolicy(
      policy({ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }),
    );
    const sm = new SecretsManagerClient(lab.client('eu-west-1'));
    const found = await refusal(sm.send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' })));
    expect(found?.code).toBe('AccessDeniedException');
    expect(found?.status).toBe(400);
    expect(found?.message).toMatch(
      new RegExp(
        `^User: ${DRILL} is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/luneo/DATABASE_URL-\\w{6} because no identity-based policy allows the secretsmanager:GetSecretValue action$`,
      ),
    );
    sm.destroy();
  });

  it('an action with no resource type names none (CloudWatch DescribeAlarms over JSON: the query code)', async () => {
    lab.server.setDrillRolePolicy(policy({ Effect: 'Allow', Action: 'rds:*', Resource: '*' }));
    const cw = new CloudWatchClient(lab.client('eu-west-1'));
    expect(await refusal(cw.send(new DescribeAlarmsCommand({})))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${DRILL} is not authorized to perform: cloudwatch:DescribeAlarms because no identity-based policy allows the cloudwatch:DescribeAlarms action`,
    });
    cw.destroy();
  });

  it('iam:PassRole is authorized with iam:PassedToService: a grant for S3 does not pass the role to FIS', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/luneo-fis-dr-drill`;
    const passTo = (service: string) =>
      policy(
        { Effect: 'Allow', Action: 'fis:CreateExperimentTemplate', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: role,
          Condition: { StringEquals: { 'iam:PassedToService': service } },
        },
      );
    const fis = new FisClient(lab.client('eu-west-1'));
    const create = () =>
      fis.send(
        new CreateExperimentTemplateCommand({
          clientToken: crypto.randomUUID(),
          description: 'enforcement test',
          roleArn: role,
          stopConditions: [{ source: 'none' }],
          actions: {},
        }),
      );
    lab.server.setDrillRolePolicy(passTo('s3.amazonaws.com'));
    expect(await refusal(create())).toEqual({
      code: 'AccessDeniedException',
      status: 400,
      message: `User: ${DRILL} is not authorized to perform: iam:PassRole on resource: ${role} because no identity-based policy allows the iam:PassRole action`,
    });
    lab.server.setDrillRolePolicy(passTo('fis.amazonaws.com'));
    // Authorized: whatever FIS then says of the template, it is not an authorization refusal.
    expect((await refusal(create()))?.code).not.toBe('AccessDeniedException');
    fis.destroy();
  });

  it('sts:GetCallerIdentity needs no permission, even under a Deny of everything', async () => {
    lab.server.setDrillRolePolicy(policy({ Effect: 'Deny', Action: '*', Resource: '*' }));
    const sts = new STSClient(lab.client('us-east-1'));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(DRILL);
    sts.destroy();
  });

  it('the pods sign with their own key: another identity, not enforced', async () => {
    lab.server.setDrillRolePolicy(policy({ Effect: 'Deny', Action: '*', Resource: '*' }));
    const config = { ...lab.client('eu-west-1'), credentials: WORKLOAD_CREDENTIALS };
    const sts = new STSClient(config);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/luneo-workload/luneo-api`,
    );
    const sm = new SecretsManagerClient(config);
    const value = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' }));
    expect(value.SecretString).toContain('postgres://');
    sts.destroy();
    sm.destroy();
  });

  it('off, the policy is only simulated: a call it does not allow goes through (the default)', async () => {
    const off = await startHarness({ enforceIam: false });
    try {
      off.server.setDrillRolePolicy(policy({ Effect: 'Deny', Action: '*', Resource: '*' }));
      const rds = new RDSClient(off.client('us-east-1'));
      await expect(rds.send(new DescribeGlobalClustersCommand({}))).resolves.toBeDefined();
      rds.destroy();
      off.server.setIamEnforcement(true);
      const again = new RDSClient(off.client('us-east-1'));
      expect((await refusal(again.send(new DescribeGlobalClustersCommand({}))))?.code).toBe('AccessDenied');
      again.destroy();
    } finally {
      await off.close();
    }
  });

  it('allows everything an Allow * grants (the enforcement refuses only what the policy does)', async () => {
    lab.server.setDrillRolePolicy(allowAll);
    const rds = new RDSClient(lab.client('us-east-1'));
    await expect(rds.send(new DescribeGlobalClustersCommand({}))).resolves.toBeDefined();
    rds.destroy();
  });
});

describe('the authorization table', () => {
  it('has a row for every operation the lab serves (the conformance extract, and the calls outside it)', () => {
    const registryName: Record<string, string> = { cloudwatch: 'monitoring' };
    const missing = Object.entries(SERVED).flatMap(([service, { operations }]) =>
      operations
        .filter((op) => !AUTHORIZATION[registryName[service] ?? service]?.operations[op])
        .map((op) => `${service}.${op}`),
    );
    expect(missing).toEqual([]);
    for (const [service, op] of [
      ['secretsmanager', 'UpdateSecret'],
      ['monitoring', 'PutMetricAlarm'],
      ['monitoring', 'DeleteAlarms'],
      ['iam', 'GetRole'],
      ['iam', 'UpdateAssumeRolePolicy'],
      ['servicequotas', 'GetServiceQuota'],
      ['servicequotas', 'GetAWSDefaultServiceQuota'],
      ['tagging', 'GetResources'],
    ] as const)
      expect(AUTHORIZATION[service]?.operations[op], `${service}.${op}`).toBeDefined();
  });

  it('LAB_AWS_IAM_ENFORCE: 1 enforces the drill role, a list names roles, unset none', () => {
    expect([...enforcedFromEnv('luneo-drill', { LAB_AWS_IAM_ENFORCE: '1' })]).toEqual(['luneo-drill']);
    expect([...enforcedFromEnv('luneo-drill', { LAB_AWS_IAM_ENFORCE: 'a, b' })]).toEqual(['a', 'b']);
    expect([...enforcedFromEnv('luneo-drill', {})]).toEqual([]);
  });
});
