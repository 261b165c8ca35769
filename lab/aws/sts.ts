// STS over awsQuery (Version 2011-06-15): who the lab says you are.
import type { AwsContext } from './context.ts';
import { invalidAction, type QueryParams } from './protocol/query.ts';
import { el } from './protocol/xml.ts';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function handleSts(ctx: AwsContext, params: QueryParams): string {
  if (params.action !== 'GetCallerIdentity') throw invalidAction(params.action);
  return (
    el('Arn', `arn:aws:iam::${ctx.accountId}:user/lab`) +
    el('UserId', 'AIDALABUSER000000000') +
    el('Account', ctx.accountId)
  );
}
