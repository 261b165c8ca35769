// Secrets Manager over awsJson1.1: versions with AWSCURRENT/AWSPREVIOUS, idempotent on ClientRequestToken.
// Regional, as AWS: each region has its own secrets, and a call sees the region it was signed for. A primary
// secret may be replicated to other regions; a replica is read-only until promoted with StopReplicationToReplica
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html,
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/standalone-secret.html).
import type { AwsContext } from './context.ts';
import { AwsError, requireParam } from './protocol/errors.ts';
import { epochSeconds } from './protocol/json.ts';
import { randomId } from './route53/zone.ts';

interface SecretVersion {
  id: string;
  value: string;
  createdAt: number;
  stages: Set<string>;
}

interface Secret {
  name: string;
  region: string;
  suffix: string;
  description: string | undefined;
  createdAt: number;
  changedAt: number;
  versions: Map<string, SecretVersion>;
  tags: { Key: string; Value: string }[];
  /** Where the primary lives: this region for a primary (or standalone) secret, another for a replica. */
  primaryRegion: string;
  /** On a primary: the regions it replicates to. */
  replicaRegions: Set<string>;
  /** The customer managed KMS key it is encrypted with, as given (ARN, id or alias); absent: aws/secretsmanager. */
  kmsKeyId?: string;
}

type Input = Record<string, unknown>;

/** Where seeded secrets are created and replicated to (Terraform's aws_secretsmanager_secret `replica` blocks). */
export interface SecretPlacement {
  primary: string;
  replicas: string[];
}

function notFound(detail = ''): AwsError {
  return new AwsError(
    'ResourceNotFoundException',
    400,
    `Secrets Manager can't find the specified secret${detail}.`,
  );
}

// What AWS answers a write to a replica (seen from the live service in cloud-nuke#435 and
// lgallard/terraform-aws-secrets-manager#188; moto's OperationNotPermittedOnReplica says the same).
function replicaIsReadOnly(): AwsError {
  return new AwsError(
    'InvalidParameterException',
    400,
    "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
  );
}

export class SecretsService {
  /** region → name → secret. */
  private readonly regions = new Map<string, Map<string, Secret>>();
  private readonly ctx: AwsContext;

  constructor(ctx: AwsContext, seed: Record<string, string>, placement: SecretPlacement) {
    this.ctx = ctx;
    for (const [name, value] of Object.entries(seed)) {
      const secret = this.create(placement.primary, name, value, crypto.randomUUID(), undefined);
      for (const region of placement.replicas) this.replicate(secret, region);
    }
  }

  private store(region: string): Map<string, Secret> {
    let store = this.regions.get(region);
    if (!store) {
      store = new Map();
      this.regions.set(region, store);
    }
    return store;
  }

  private arn(secret: Secret): string {
    return `arn:aws:secretsmanager:${secret.region}:${this.ctx.accountId}:secret:${secret.name}-${secret.suffix}`;
  }

  private create(
    region: string,
    name: string,
    value: string | undefined,
    token: string,
    description: string | undefined,
  ): Secret {
    const now = Date.now();
    const secret: Secret = {
      name,
      region,
      suffix: randomId(6),
      description,
      createdAt: now,
      changedAt: now,
      versions: new Map(),
      tags: [],
      primaryRegion: region,
      replicaRegions: new Set(),
    };
    if (value !== undefined)
      secret.versions.set(token, { id: token, value, createdAt: now, stages: new Set(['AWSCURRENT']) });
    this.store(region).set(name, secret);
    return secret;
  }

  /** Makes (or overwrites) the replica of `primary` in `region`: same name, suffix, versions and metadata. */
  private replicate(primary: Secret, region: string, kmsKeyId?: string): void {
    primary.replicaRegions.add(region);
    // A KMS key is regional: a replica is encrypted with the key given for its region, else aws/secretsmanager.
    const { kmsKeyId: _, ...metadata } = primary;
    this.store(region).set(primary.name, {
      ...metadata,
      region,
      primaryRegion: primary.region,
      replicaRegions: new Set(),
      versions: copyVersions(primary.versions),
      tags: primary.tags.map((t) => ({ ...t })),
      ...(kmsKeyId ? { kmsKeyId } : {}),
    });
  }

  /** Replication carries every change of a primary to its replicas. */
  private propagate(primary: Secret): void {
    for (const region of primary.replicaRegions) {
      const replica = this.store(region).get(primary.name);
      if (!replica || replica.primaryRegion !== primary.region) continue;
      replica.versions = copyVersions(primary.versions);
      replica.changedAt = primary.changedAt;
    }
  }

  /** By name, full ARN, or partial ARN (without the random suffix), in `region`. */
  private find(secretId: unknown, region: string): Secret {
    const id = requireParam(secretId as string | undefined, 'SecretId');
    const secrets = this.store(region);
    const direct = secrets.get(id);
    if (direct) return direct;
    const found = [...secrets.values()].find((s) => {
      const [head, tail] = id.split(':secret:');
      return (
        tail !== undefined &&
        head?.split(':')[3] === region &&
        (tail === s.name || tail === `${s.name}-${s.suffix}`)
      );
    });
    if (!found) throw notFound();
    return found;
  }

  /** A secret's ARN and KMS key, for IAM authorization (lab/aws/iam/authorize.ts); undefined when none matches. */
  authorizationFacts(region: string, secretId: string): { arn: string; kmsKeyId?: string } | undefined {
    try {
      const secret = this.find(secretId, region);
      return { arn: this.arn(secret), ...(secret.kmsKeyId ? { kmsKeyId: secret.kmsKeyId } : {}) };
    } catch {
      return undefined;
    }
  }

  /** A secret that may be written here: not a replica. */
  private writable(secretId: unknown, region: string): Secret {
    const secret = this.find(secretId, region);
    if (secret.primaryRegion !== region) throw replicaIsReadOnly();
    return secret;
  }

  private versionByStage(secret: Secret, stage: string): SecretVersion | undefined {
    return [...secret.versions.values()].find((v) => v.stages.has(stage));
  }

  handle(operation: string, input: Input, region: string): unknown {
    switch (operation) {
      case 'GetSecretValue': {
        const secret = this.find(input.SecretId, region);
        const versionId = input.VersionId as string | undefined;
        const stage = (input.VersionStage as string | undefined) ?? (versionId ? undefined : 'AWSCURRENT');
        const version = versionId
          ? secret.versions.get(versionId)
          : this.versionByStage(secret, stage as string);
        if (!version || (stage && !version.stages.has(stage))) {
          throw notFound(` value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`);
        }
        return {
          ARN: this.arn(secret),
          Name: secret.name,
          VersionId: version.id,
          SecretString: version.value,
          VersionStages: [...version.stages],
          CreatedDate: epochSeconds(version.createdAt),
        };
      }
      case 'PutSecretValue': {
        const secret = this.writable(input.SecretId, region);
        const value = requireParam(input.SecretString as string | undefined, 'SecretString');
        const token = (input.ClientRequestToken as string | undefined) ?? crypto.randomUUID();
        const existing = secret.versions.get(token);
        if (existing) {
          if (existing.value !== value) {
            throw new AwsError(
              'ResourceExistsException',
              400,
              `You can't modify an existing version (ClientRequestToken ${token}): send a new ClientRequestToken to create a new version.`,
            );
          }
          return {
            ARN: this.arn(secret),
            Name: secret.name,
            VersionId: token,
            VersionStages: [...existing.stages],
          };
        }
        const stages = new Set((input.VersionStages as string[] | undefined) ?? ['AWSCURRENT']);
        if (stages.has('AWSCURRENT')) {
          for (const v of secret.versions.values()) v.stages.delete('AWSPREVIOUS');
          const current = this.versionByStage(secret, 'AWSCURRENT');
          if (current) {
            current.stages.delete('AWSCURRENT');
            current.stages.add('AWSPREVIOUS');
          }
        }
        for (const v of secret.versions.values())
          for (const s of stages) if (s !== 'AWSCURRENT') v.stages.delete(s);
        secret.versions.set(token, { id: token, value, createdAt: Date.now(), stages });
        secret.changedAt = Date.now();
        this.propagate(secret);
        this.ctx.mutated('PutSecretValue');
        return {
          ARN: this.arn(secret),
          Name: secret.name,
          VersionId: token,
          VersionStages: [...stages],
        };
      }
      case 'CreateSecret': {
        const name = requireParam(input.Name as string | undefined, 'Name');
        // As AWS: a retry with the same ClientRequestToken and value is ignored and answered as a success.
        const again = input.ClientRequestToken
          ? this.store(region)
              .get(name)
              ?.versions.get(input.ClientRequestToken as string)
          : undefined;
        if (again && again.value === input.SecretString) {
          return {
            ARN: this.arn(this.find(name, region)),
            Name: name,
            VersionId: input.ClientRequestToken,
          };
        }
        if (this.store(region).has(name)) {
          throw new AwsError(
            'ResourceExistsException',
            400,
            `The operation failed because the secret ${name} already exists.`,
          );
        }
        const token = (input.ClientRequestToken as string | undefined) ?? crypto.randomUUID();
        const secret = this.create(
          region,
          name,
          input.SecretString as string | undefined,
          token,
          input.Description as string | undefined,
        );
        secret.tags = (input.Tags as Secret['tags'] | undefined) ?? [];
        if (input.KmsKeyId) secret.kmsKeyId = String(input.KmsKeyId);
        this.ctx.mutated('CreateSecret');
        return {
          ARN: this.arn(secret),
          Name: name,
          ...(secret.versions.size ? { VersionId: token } : {}),
        };
      }
      case 'DescribeSecret':
        return this.describe(this.find(input.SecretId, region));
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecret.html: on the primary; the
      // lab serves the metadata part (KmsKeyId, Description), not a new value. The key is not checked against KMS.
      case 'UpdateSecret': {
        const secret = this.writable(input.SecretId, region);
        if (input.SecretString !== undefined || input.SecretBinary !== undefined)
          throw new AwsError(
            'InvalidRequestException',
            400,
            "The lab's UpdateSecret changes KmsKeyId and Description only; use PutSecretValue.",
          );
        if (input.KmsKeyId !== undefined) secret.kmsKeyId = String(input.KmsKeyId) || undefined;
        if (input.Description !== undefined) secret.description = String(input.Description);
        secret.changedAt = Date.now();
        this.ctx.mutated('UpdateSecret');
        return { ARN: this.arn(secret), Name: secret.name };
      }
      case 'ListSecrets':
        return { SecretList: [...this.store(region).values()].map((s) => this.listEntry(s)) };
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_StopReplicationToReplica.html:
      // called in the replica's region; the replica becomes a standalone primary there.
      case 'StopReplicationToReplica': {
        const replica = this.find(input.SecretId, region);
        if (replica.primaryRegion === region) {
          throw new AwsError(
            'InvalidRequestException',
            400,
            `The secret ${replica.name} in ${region} is not a replica: there is no replication to stop.`,
          );
        }
        this.store(replica.primaryRegion).get(replica.name)?.replicaRegions.delete(region);
        replica.primaryRegion = region;
        replica.changedAt = Date.now();
        this.ctx.mutated('StopReplicationToReplica');
        return { ARN: this.arn(replica) };
      }
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html:
      // called on the primary; a same-named secret in a target region fails unless ForceOverwriteReplicaSecret.
      case 'ReplicateSecretToRegions': {
        const primary = this.writable(input.SecretId, region);
        const add = (input.AddReplicaRegions as { Region?: string; KmsKeyId?: string }[] | undefined) ?? [];
        const force = input.ForceOverwriteReplicaSecret === true;
        const failed = new Map<string, string>();
        for (const { Region: target, KmsKeyId: replicaKey } of add) {
          const to = requireParam(target, 'AddReplicaRegions.Region');
          if (to === region) {
            throw new AwsError('InvalidParameterException', 400, 'Invalid replica region.');
          }
          const existing = this.store(to).get(primary.name);
          const alreadyOurs = existing?.primaryRegion === region;
          if (existing && !alreadyOurs && !force) {
            failed.set(to, `Replication failed: Secret name ${primary.name} already exists in region ${to}.`);
            continue;
          }
          this.replicate(primary, to, replicaKey);
        }
        this.ctx.mutated('ReplicateSecretToRegions');
        return {
          ARN: this.arn(primary),
          ReplicationStatus: [
            ...this.replicationStatus(primary),
            ...[...failed].map(([r, message]) => ({ Region: r, Status: 'Failed', StatusMessage: message })),
          ],
        };
      }
      default:
        throw new AwsError(
          'UnknownOperationException',
          400,
          `The lab's Secrets Manager has no operation ${operation}.`,
        );
    }
  }

  private replicationStatus(primary: Secret): Record<string, unknown>[] {
    return [...primary.replicaRegions].map((r) => {
      const key = this.store(r).get(primary.name)?.kmsKeyId;
      return {
        Region: r,
        ...(key ? { KmsKeyId: key } : {}),
        Status: 'InSync',
        StatusMessage: 'Replication succeeded',
      };
    });
  }

  /** A SecretListEntry (secretsmanager-2017-10-17 model): DescribeSecret's members but the stage map is named
   *  SecretVersionsToStages, and there is no ReplicationStatus. */
  private listEntry(secret: Secret): Record<string, unknown> {
    const { VersionIdsToStages, ReplicationStatus: _, ...entry } = this.describe(secret);
    return { ...entry, SecretVersionsToStages: VersionIdsToStages };
  }

  private describe(secret: Secret): Record<string, unknown> {
    const replicated = secret.primaryRegion !== secret.region || secret.replicaRegions.size > 0;
    return {
      ARN: this.arn(secret),
      Name: secret.name,
      ...(secret.description ? { Description: secret.description } : {}),
      // "If the secret is encrypted with the Amazon Web Services managed key aws/secretsmanager, this field is omitted."
      ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
      CreatedDate: epochSeconds(secret.createdAt),
      LastChangedDate: epochSeconds(secret.changedAt),
      Tags: secret.tags,
      VersionIdsToStages: Object.fromEntries(
        [...secret.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]]),
      ),
      // DescribeSecret names the primary's region of a replicated secret, and a primary lists its replicas.
      ...(replicated ? { PrimaryRegion: secret.primaryRegion } : {}),
      ...(secret.replicaRegions.size > 0 ? { ReplicationStatus: this.replicationStatus(secret) } : {}),
    };
  }
}

function copyVersions(versions: Map<string, SecretVersion>): Map<string, SecretVersion> {
  return new Map([...versions].map(([id, v]) => [id, { ...v, stages: new Set(v.stages) }]));
}
