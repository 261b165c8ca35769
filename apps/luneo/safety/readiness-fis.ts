// Readiness of the FIS faults: the subnets each of the target's subnet tag sets selects fit the account's
// "Target Subnets for aws:network:disrupt-connectivity" quota (Service Quotas, read-only: counted with the Resource
// Groups Tagging API, never with a FIS preview experiment), and the experiment role trusts fis.amazonaws.com
// (FIS User Guide, "IAM roles for AWS FIS experiments": https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html).
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { AwsCaller } from '../../../clients/aws/call.ts';
import { JsonRpcClient, SERVICE_QUOTAS, TAGGING } from '../../../clients/aws/json-rpc.ts';
import { isClientError } from '../../../clients/errors.ts';
import type { ReadinessCheck, ReadinessResult } from '../../../core/preflight/types.ts';
import { fail, pass, read, readFailure } from '../../../targets/safety/readiness-result.ts';
import type { LuneoRun } from '../context.ts';
import { luneo } from '../context.ts';
import { FIS_SUBNET_QUOTA, raiseSubnetQuota } from '../steps/fis-quota.ts';
import { targetFileOf } from './readiness-resources.ts';

const FIS_PRINCIPAL = 'fis.amazonaws.com';

async function jsonClient(
  ctx: LuneoRun,
  service: typeof SERVICE_QUOTAS,
  region: string,
): Promise<JsonRpcClient> {
  const l = await luneo(ctx);
  const caller = new AwsCaller(service.signingName, region, ctx.audit, l.aws.factory.retryPolicy);
  return new JsonRpcClient(service, l.aws.factory.config, region, caller);
}

/** The account's value of the FIS subnet quota: applied, else the AWS default. */
async function subnetQuota(ctx: LuneoRun, region: string, signal: AbortSignal): Promise<number> {
  const sq = await jsonClient(ctx, SERVICE_QUOTAS, region);
  const input = { ServiceCode: 'fis', QuotaCode: FIS_SUBNET_QUOTA.code };
  const ref = { kind: 'service quota', id: `fis/${FIS_SUBNET_QUOTA.code}` };
  try {
    const out = await sq.call<{ Quota?: { Value?: number } }>('GetServiceQuota', input, ref, { signal });
    if (typeof out.Quota?.Value === 'number') return out.Quota.Value;
  } catch (error) {
    if (!isClientError(error, 'E_NOT_FOUND')) throw error;
  }
  const out = await sq.call<{ Quota?: { Value?: number } }>('GetAWSDefaultServiceQuota', input, ref, {
    signal,
  });
  return out.Quota?.Value ?? FIS_SUBNET_QUOTA.defaultValue;
}

/** Subnets of `region` carrying every tag of `tags` (how FIS resolves a target's resourceTags). */
async function taggedSubnets(
  ctx: LuneoRun,
  region: string,
  tags: Record<string, string>,
  signal: AbortSignal,
): Promise<string[]> {
  const tagging = await jsonClient(ctx, TAGGING, region);
  const arns: string[] = [];
  let token = '';
  do {
    const page = await tagging.call<{
      ResourceTagMappingList?: { ResourceARN?: string }[];
      PaginationToken?: string;
    }>(
      'GetResources',
      {
        TagFilters: Object.entries(tags).map(([Key, Value]) => ({ Key, Values: [Value] })),
        ResourceTypeFilters: ['ec2:subnet'],
        ...(token ? { PaginationToken: token } : {}),
      },
      { kind: 'subnets tagged', id: JSON.stringify(tags) },
      { signal },
    );
    for (const m of page.ResourceTagMappingList ?? []) if (m.ResourceARN) arns.push(m.ResourceARN);
    token = page.PaginationToken ?? '';
  } while (token);
  return arns;
}

/** Whether a trust policy lets `service` assume the role (an Allow of sts:AssumeRole to that service principal). */
export function trustsService(document: unknown, service: string): boolean {
  const statements = (document as { Statement?: unknown })?.Statement;
  const list = (Array.isArray(statements) ? statements : [statements]) as Record<string, unknown>[];
  const many = (v: unknown): string[] =>
    Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
  const denied = list.some(
    (s) => s?.Effect === 'Deny' && many((s.Principal as { Service?: unknown })?.Service).includes(service),
  );
  return (
    !denied &&
    list.some(
      (s) =>
        s?.Effect === 'Allow' &&
        many(s.Action).some((a) => ['sts:assumerole', 'sts:*', '*'].includes(a.toLowerCase())) &&
        many((s.Principal as { Service?: unknown })?.Service).includes(service),
    )
  );
}

export function fisChecks(ctx: LuneoRun): ReadinessCheck[] {
  const r = ctx.target.resources;
  const region = r.primary.region;
  const file = targetFileOf(ctx);
  return [
    {
      name: 'fis-subnet-quota',
      calls: [
        read('servicequotas', 'GetServiceQuota', region),
        read('servicequotas', 'GetAWSDefaultServiceQuota', region),
        read('tagging', 'GetResources', region),
      ],
      async run(signal) {
        let quota: number;
        try {
          quota = await subnetQuota(ctx, region, signal);
        } catch (error) {
          return [readFailure(`quota ${FIS_SUBNET_QUOTA.code}`, error, '', 'servicequotas:GetServiceQuota')];
        }
        const results: ReadinessResult[] = [];
        for (const [field, tags] of [
          ['fis.databaseSubnetTags', r.fis.databaseSubnetTags],
          ['fis.regionSubnetTags', r.fis.regionSubnetTags],
        ] as const) {
          const name = `FIS subnets ${field}`;
          try {
            const subnets = await taggedSubnets(ctx, region, tags, signal);
            if (subnets.length === 0)
              results.push(
                fail(
                  name,
                  `no subnet in ${region} carries ${JSON.stringify(tags)}: the fault would hit nothing`,
                  `tag the subnets, or fix ${field} in ${file}`,
                ),
              );
            else if (subnets.length > quota)
              results.push(
                fail(
                  name,
                  `${subnets.length} subnets in ${region} carry ${JSON.stringify(tags)}, more than "${FIS_SUBNET_QUOTA.name}" (${quota}): FIS would fail the experiment with QuotaExceededFailure after the drill began`,
                  raiseSubnetQuota(subnets.length, region),
                ),
              );
            else if (r.fis.targetSubnetQuota !== undefined && r.fis.targetSubnetQuota > quota)
              results.push(
                fail(
                  name,
                  `${file} says fis.targetSubnetQuota ${r.fis.targetSubnetQuota}, Service Quotas says ${quota} in ${region}`,
                  `set fis.targetSubnetQuota to ${quota}, or wait for the increase to be granted`,
                ),
              );
            else
              results.push(
                pass(
                  name,
                  `${subnets.length} subnet(s) in ${region}, within "${FIS_SUBNET_QUOTA.name}" (${quota})`,
                ),
              );
          } catch (error) {
            results.push(readFailure(name, error, '', 'tag:GetResources'));
          }
        }
        return results;
      },
    },
    {
      name: 'fis-role-trust',
      calls: [read('iam', 'GetRole', 'global')],
      async run(signal) {
        const roleName = r.fis.roleArn.split('/').pop() ?? r.fis.roleArn;
        const name = `FIS role ${roleName}`;
        const iam = (await luneo(ctx)).aws.iam();
        try {
          const out = await iam.caller.send(
            'GetRole',
            { kind: 'role', id: roleName },
            (abortSignal) => iam.client.send(new GetRoleCommand({ RoleName: roleName }), { abortSignal }),
            { signal },
          );
          if (out.Role?.Arn && out.Role.Arn !== r.fis.roleArn)
            return [
              fail(
                name,
                `its ARN is ${out.Role.Arn}, the target names ${r.fis.roleArn}`,
                `set fis.roleArn to ${out.Role.Arn} in ${file}`,
              ),
            ];
          const document = JSON.parse(
            decodeURIComponent(out.Role?.AssumeRolePolicyDocument ?? '{}'),
          ) as unknown;
          if (!trustsService(document, FIS_PRINCIPAL))
            return [
              fail(
                name,
                `its trust policy does not let ${FIS_PRINCIPAL} assume it: FIS would refuse to start the experiment`,
                `aws iam update-assume-role-policy --role-name ${roleName} --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"${FIS_PRINCIPAL}"},"Action":"sts:AssumeRole"}]}'`,
              ),
            ];
          return [pass(name, `trusts ${FIS_PRINCIPAL}`)];
        } catch (error) {
          return [readFailure(name, error, `create the role, or fix fis.roleArn in ${file}`, 'iam:GetRole')];
        }
      },
    },
  ];
}
