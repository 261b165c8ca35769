// STS over awsQuery (Version 2011-06-15): who the lab says you are (the drill role, lab/aws/iam/drill-role.ts).
import type { AwsContext } from './context.ts';
import { drillCallerIdentity } from './iam/drill-role.ts';
import { invalidAction, type QueryParams } from './protocol/query.ts';
import { el } from './protocol/xml.ts';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function handleSts(ctx: AwsContext, params: QueryParams): string {
  if (params.action !== 'GetCallerIdentity') throw invalidAction(params.action);
  const identity = drillCallerIdentity(ctx.accountId);
  return el('Arn', identity.arn) + el('UserId', identity.userId) + el('Account', identity.account);
}
