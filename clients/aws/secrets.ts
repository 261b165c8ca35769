// Secrets Manager: read a secret, and put a new value only when it differs (values never logged or audited).

import { randomUUID } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { PlannedCall } from '../../core/model.ts';
import type { CallOptions } from '../abort.ts';
import { ClientError } from '../errors.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

export const REDACTED = '<redacted>';

export interface SecretValue {
  value: string;
  versionId: string;
  arn: string | undefined;
  name: string | undefined;
}

export interface PutSecretResult {
  /** True when the current value already equalled the new one: nothing was written. */
  skipped: boolean;
  versionId: string;
  /** The AWSCURRENT version before the put; read it back with getSecretValue(id, { versionId }) to undo. */
  previousVersionId: string;
}

export function planPutSecretValue(region: string, secretId: string): PlannedCall {
  return {
    service: 'secretsmanager',
    operation: 'PutSecretValue',
    scope: region,
    params: { SecretId: secretId, SecretString: REDACTED },
    mutating: true,
  };
}

export class Secrets {
  readonly caller: AwsCaller;
  constructor(
    readonly client: SecretsManagerClient,
    readonly region: string,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('secretsmanager', region, opts.audit, opts.retry);
  }

  async getSecretValue(id: string, opts: CallOptions & { versionId?: string } = {}): Promise<SecretValue> {
    const out = await this.caller.send(
      'GetSecretValue',
      { kind: 'secret', id },
      (abortSignal) =>
        this.client.send(
          new GetSecretValueCommand({
            SecretId: id,
            ...(opts.versionId ? { VersionId: opts.versionId } : {}),
          }),
          { abortSignal },
        ),
      opts,
    );
    if (out.SecretString === undefined) {
      throw new ClientError({
        code: 'E_BAD_REQUEST',
        message: `secret "${id}" in ${this.region} has no SecretString (binary secrets are not supported)`,
        ...this.caller.site('GetSecretValue'),
      });
    }
    return { value: out.SecretString, versionId: out.VersionId ?? '', arn: out.ARN, name: out.Name };
  }

  /**
   * Writes `value` as the new AWSCURRENT unless it already is. The ClientRequestToken (caller-given or a fresh
   * UUID) is reused across retries, so a retried put creates one version. It is deliberately not derived from
   * the value: Secrets Manager ignores a put whose token and value match an old version, so a switchback to a
   * previous value would silently not move AWSCURRENT.
   */
  async putSecretValue(
    id: string,
    value: string,
    opts: CallOptions & { clientRequestToken?: string } = {},
  ): Promise<PutSecretResult> {
    const current = await this.getSecretValue(id, opts);
    if (current.value === value) {
      return { skipped: true, versionId: current.versionId, previousVersionId: current.versionId };
    }
    const token = opts.clientRequestToken ?? randomUUID();
    return this.caller.mutate(planPutSecretValue(this.region, id), async () => {
      const out = await this.caller.send(
        'PutSecretValue',
        { kind: 'secret', id },
        (abortSignal) =>
          this.client.send(
            new PutSecretValueCommand({ SecretId: id, SecretString: value, ClientRequestToken: token }),
            {
              abortSignal,
            },
          ),
        opts,
      );
      return { skipped: false, versionId: out.VersionId ?? token, previousVersionId: current.versionId };
    });
  }
}
