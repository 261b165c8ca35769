// Readiness of the secrets the drill repoints (DATABASE_URL, REDIS_URL): each exists with its primary in the
// target's primary region, replicates to the secondary region (InSync), and the drill's principal may decrypt it
// in both regions: kms:Decrypt on the secret's KMS key through Secrets Manager (a customer managed key needs the
// grant; the AWS managed key aws/secretsmanager does not,
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html). The IAM question is the
// one the plan's GetSecretValue asks (iam-plan.ts), so the two agree on the key's ARN and condition keys.
import { DescribeSecretCommand, type DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { principalArnOf } from '../../../clients/aws/iam.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { ReadinessCheck, ReadinessResult } from '../../../core/preflight/types.ts';
import { factKey, iamQuestions } from '../../../targets/safety/iam-plan.ts';
import { couldNotCheck, fail, pass, read, readFailure } from '../../../targets/safety/readiness-result.ts';
import type { LuneoRun } from '../context.ts';
import { luneo } from '../context.ts';
import { targetFileOf } from './readiness-resources.ts';

const MANAGED_KEY = 'aws/secretsmanager';

export function secretChecks(ctx: LuneoRun): ReadinessCheck[] {
  const r = ctx.target.resources;
  const ids = [r.secrets.databaseUrl, r.secrets.redisUrl].filter((x): x is string => !!x);
  return [
    {
      name: 'secrets',
      calls: [
        read('secretsmanager', 'DescribeSecret', r.primary.region),
        read('sts', 'GetCallerIdentity', r.primary.region),
        read('iam', 'SimulatePrincipalPolicy', 'global'),
      ],
      run: async (signal) => (await Promise.all(ids.map((id) => checkSecret(ctx, id, signal)))).flat(),
    },
  ];
}

async function checkSecret(ctx: LuneoRun, id: string, signal: AbortSignal): Promise<ReadinessResult[]> {
  const r = ctx.target.resources;
  const name = `secret ${id}`;
  const l = await luneo(ctx);
  const secrets = l.aws.secrets(r.primary.region);
  let out: DescribeSecretCommandOutput;
  try {
    out = await secrets.caller.send(
      'DescribeSecret',
      { kind: 'secret', id },
      (abortSignal) => secrets.client.send(new DescribeSecretCommand({ SecretId: id }), { abortSignal }),
      { signal },
    );
  } catch (error) {
    return [
      readFailure(
        name,
        error,
        `create it in ${r.primary.region}, or fix resources.secrets in ${targetFileOf(ctx)}`,
        'secretsmanager:DescribeSecret',
      ),
    ];
  }
  const primaryRegion = out.PrimaryRegion ?? r.primary.region;
  if (primaryRegion !== r.primary.region)
    return [
      fail(
        name,
        `its primary is in ${primaryRegion}, not ${r.primary.region}: the drill would write to a replica`,
        'switch back first, or swap primary and secondary in the target',
      ),
    ];
  const replica = out.ReplicationStatus?.find((x) => x.Region === r.secondary.region);
  if (replica?.Status !== 'InSync')
    return [
      fail(
        name,
        replica
          ? `its replica in ${r.secondary.region} is ${replica.Status}${replica.StatusMessage ? ` (${replica.StatusMessage})` : ''}`
          : `it does not replicate to ${r.secondary.region}: the DR region's pods would read nothing`,
        `aws secretsmanager replicate-secret-to-regions --secret-id ${id} --add-replica-regions Region=${r.secondary.region} --region ${r.primary.region}`,
      ),
    ];
  const keys = new Map<string, string | null>([
    [r.primary.region, out.KmsKeyId ?? null],
    [r.secondary.region, replica.KmsKeyId ?? null],
  ]);
  const where = [...keys].map(([region, key]) => `${region}: ${key ?? MANAGED_KEY}`).join(', ');
  const results = [
    pass(name, `primary in ${r.primary.region}, replica InSync in ${r.secondary.region}; KMS keys ${where}`),
  ];
  const decrypt = `kms:Decrypt of ${id}`;
  try {
    const identity = await l.aws.sts(r.primary.region).getCallerIdentity({ signal });
    const principal = principalArnOf(identity.arn);
    const questions = iamQuestions(
      [...keys.keys()].map((region) => ({
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        scope: region,
        params: { SecretId: id },
        mutating: false,
      })),
      { partition: identity.arn.split(':')[1] || 'aws', account: identity.account },
      {
        replicationRoles: new Map(),
        secretKeys: new Map([...keys].map(([region, key]) => [factKey(region, id), key])),
      },
    ).filter((q) => q.action === 'kms:Decrypt');
    if (questions.length === 0) {
      results.push(pass(decrypt, `${MANAGED_KEY} in both regions: no KMS grant needed`));
      return results;
    }
    const decisions = await l.aws.iam().check(
      principal,
      questions.map((q) => ({
        action: q.action,
        resources: q.resources,
        ...(q.context ? { context: q.context } : {}),
      })),
      { signal },
    );
    const denied = decisions.filter((d) => d.decision !== 'allowed');
    results.push(
      denied.length > 0
        ? fail(
            decrypt,
            `${principal} may not decrypt it: ${denied.map((d) => `kms:Decrypt on ${d.resource} (${d.decision})`).join(', ')}: the drill could not read the secret it repoints`,
            `grant kms:Decrypt on ${denied.map((d) => d.resource).join(', ')} with kms:ViaService secretsmanager.<region>.amazonaws.com to ${principal} (its IAM policy and the key policy), or re-encrypt the secret under a key it may use`,
          )
        : pass(
            decrypt,
            `${principal} may decrypt it with ${questions.flatMap((q) => q.resources).join(', ')}`,
          ),
    );
  } catch (error) {
    results.push(
      couldNotCheck(
        decrypt,
        `the IAM simulation failed: ${errorMessage(error)}`,
        "grant iam:SimulatePrincipalPolicy on the drill role to the preflight's credentials",
      ),
    );
  }
  return results;
}
