// Secrets Manager: read a secret, and put a new value only when it differs (values never logged or audited);
// where a replicated secret's primary lives, promote a replica, and replicate a primary again.

import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ReplicateSecretToRegionsCommand,
  type SecretsManagerClient,
  StopReplicationToReplicaCommand,
} from '@aws-sdk/client-secrets-manager';
import type { PlannedCall } from '../../core/model.ts';
import type { CallOptions } from '../abort.ts';
import { ClientError, isClientError } from '../errors.ts';
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

/** Where a secret stands in replication, as DescribeSecret says in one region. */
export interface SecretReplication {
  arn: string | undefined;
  /** The region of the primary: this region for a primary or standalone secret, another for a replica. */
  primaryRegion: string;
  /** On a primary: the regions it replicates to, with each one's status (InSync, Failed, InProgress). */
  replicas: { region: string; status: string }[];
}

/** A replica secret is read-only until promoted: StopReplicationToReplica, called in the replica's region. */
export function planStopReplicationToReplica(region: string, secretId: string): PlannedCall {
  return {
    service: 'secretsmanager',
    operation: 'StopReplicationToReplica',
    scope: region,
    params: { SecretId: secretId },
    mutating: true,
  };
}

/** Called on the primary, in its region; overwrites a same-named (e.g. promoted) secret in the replica regions. */
export function planReplicateSecretToRegions(
  region: string,
  secretId: string,
  replicaRegions: string[],
): PlannedCall {
  return {
    service: 'secretsmanager',
    operation: 'ReplicateSecretToRegions',
    scope: region,
    params: {
      SecretId: secretId,
      AddReplicaRegions: replicaRegions.map((Region) => ({ Region })),
      ForceOverwriteReplicaSecret: true,
    },
    mutating: true,
  };
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

  /** The secret's replication as seen in this region (DescribeSecret: PrimaryRegion, ReplicationStatus). */
  async describeReplication(id: string, opts: CallOptions = {}): Promise<SecretReplication> {
    const out = await this.caller.send(
      'DescribeSecret',
      { kind: 'secret', id },
      (abortSignal) => this.client.send(new DescribeSecretCommand({ SecretId: id }), { abortSignal }),
      opts,
    );
    return {
      arn: out.ARN,
      // A secret that was never replicated has no PrimaryRegion: it is its own primary.
      primaryRegion: out.PrimaryRegion ?? this.region,
      replicas: (out.ReplicationStatus ?? []).map((r) => ({
        region: r.Region ?? '',
        status: r.Status ?? '',
      })),
    };
  }

  /**
   * Promotes the replica of `id` in this region to a standalone secret (read-write here, no longer updated from
   * its primary). Nothing is sent when it already is its own primary.
   */
  async promoteReplica(id: string, opts: CallOptions = {}): Promise<{ promoted: boolean; from?: string }> {
    const before = await this.describeReplication(id, opts);
    if (before.primaryRegion === this.region) return { promoted: false };
    await this.caller.mutate(planStopReplicationToReplica(this.region, id), async () => {
      try {
        await this.caller.send(
          'StopReplicationToReplica',
          { kind: 'secret', id },
          (abortSignal) =>
            this.client.send(new StopReplicationToReplicaCommand({ SecretId: id }), { abortSignal }),
          opts,
        );
      } catch (error) {
        // A resend after an attempt whose answer was lost is refused "not a replica" when that attempt went
        // through: read it back, and the promotion is done when this region's copy is its own primary.
        const refused = isClientError(error) && error.remoteCode === 'InvalidRequestException';
        if (!refused || (await this.describeReplication(id, opts)).primaryRegion !== this.region) throw error;
      }
    });
    return { promoted: true, from: before.primaryRegion };
  }

  /**
   * Makes this region's secret the primary of a replica in each of `regions`, overwriting a same-named secret
   * there (a replica promoted during a failover). Nothing is sent for regions already in sync.
   */
  async replicateTo(id: string, regions: string[], opts: CallOptions = {}): Promise<{ added: string[] }> {
    const before = await this.describeReplication(id, opts);
    const missing = regions.filter(
      (r) => !before.replicas.some((x) => x.region === r && x.status === 'InSync'),
    );
    if (missing.length === 0) return { added: [] };
    const out = await this.caller.mutate(planReplicateSecretToRegions(this.region, id, missing), () =>
      this.caller.send(
        'ReplicateSecretToRegions',
        { kind: 'secret', id },
        (abortSignal) =>
          this.client.send(
            new ReplicateSecretToRegionsCommand({
              SecretId: id,
              AddReplicaRegions: missing.map((Region) => ({ Region })),
              ForceOverwriteReplicaSecret: true,
            }),
            { abortSignal },
          ),
        opts,
      ),
    );
    const failed = (out.ReplicationStatus ?? []).filter((r) => r.Status === 'Failed');
    if (failed.length > 0) {
      throw new ClientError({
        code: 'E_INVALID_STATE',
        message: `secret "${id}" could not be replicated from ${this.region}: ${failed.map((f) => `${f.Region}: ${f.StatusMessage}`).join('; ')}`,
        ...this.caller.site('ReplicateSecretToRegions'),
      });
    }
    return { added: missing };
  }
}
