// STS over awsQuery (Version 2011-06-15): who the lab says you are, by the key that signed the request
// (lab/aws/iam/principals.ts: the app pods' workload role, else the drill role).
import type { AwsContext, AwsRequest } from './context.ts';
import { accessKeyOf, principalOf } from './iam/principals.ts';
import { invalidAction, type QueryParams } from './protocol/query.ts';
import { el } from './protocol/xml.ts';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function handleSts(ctx: AwsContext, params: QueryParams, request: AwsRequest): string {
  if (params.action !== 'GetCallerIdentity') throw invalidAction(params.action);
  const identity = principalOf(accessKeyOf(request), ctx.accountId);
  return el('Arn', identity.arn) + el('UserId', identity.userId) + el('Account', identity.account);
}
