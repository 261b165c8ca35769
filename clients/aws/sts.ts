// STS: who are we? Guardrails compare the account against the target's allow-list.

import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { CallOptions } from '../abort.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export class Sts {
  readonly caller: AwsCaller;
  constructor(
    readonly client: STSClient,
    readonly region: string,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('sts', region, opts.audit, opts.retry);
  }

  async getCallerIdentity(opts: CallOptions = {}): Promise<CallerIdentity> {
    const out = await this.caller.send(
      'GetCallerIdentity',
      undefined,
      (abortSignal) => this.client.send(new GetCallerIdentityCommand({}), { abortSignal }),
      opts,
    );
    return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
  }
}
