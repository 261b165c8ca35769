// Secrets Manager over awsJson1.1: versions with AWSCURRENT/AWSPREVIOUS, idempotent on ClientRequestToken.
// One store for every region (the lab's secrets are replicated); ARNs carry the caller's region.
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
  suffix: string;
  description: string | undefined;
  createdAt: number;
  changedAt: number;
  versions: Map<string, SecretVersion>;
  tags: { Key: string; Value: string }[];
}

type Input = Record<string, unknown>;

function notFound(detail = ''): AwsError {
  return new AwsError(
    'ResourceNotFoundException',
    400,
    `Secrets Manager can't find the specified secret${detail}.`,
  );
}

export class SecretsService {
  private readonly secrets = new Map<string, Secret>();
  private readonly ctx: AwsContext;

  constructor(ctx: AwsContext, seed: Record<string, string>) {
    this.ctx = ctx;
    for (const [name, value] of Object.entries(seed))
      this.create(name, value, crypto.randomUUID(), undefined);
  }

  private arn(secret: Secret, region: string): string {
    return `arn:aws:secretsmanager:${region}:${this.ctx.accountId}:secret:${secret.name}-${secret.suffix}`;
  }

  private create(
    name: string,
    value: string | undefined,
    token: string,
    description: string | undefined,
  ): Secret {
    const now = Date.now();
    const secret: Secret = {
      name,
      suffix: randomId(6),
      description,
      createdAt: now,
      changedAt: now,
      versions: new Map(),
      tags: [],
    };
    if (value !== undefined)
      secret.versions.set(token, { id: token, value, createdAt: now, stages: new Set(['AWSCURRENT']) });
    this.secrets.set(name, secret);
    return secret;
  }

  /** By name, full ARN, or partial ARN (without the random suffix). */
  private find(secretId: unknown): Secret {
    const id = requireParam(secretId as string | undefined, 'SecretId');
    const direct = this.secrets.get(id);
    if (direct) return direct;
    const found = [...this.secrets.values()].find((s) => {
      const tail = id.split(':secret:')[1];
      return tail !== undefined && (tail === s.name || tail === `${s.name}-${s.suffix}`);
    });
    if (!found) throw notFound();
    return found;
  }

  private versionByStage(secret: Secret, stage: string): SecretVersion | undefined {
    return [...secret.versions.values()].find((v) => v.stages.has(stage));
  }

  handle(operation: string, input: Input, region: string): unknown {
    switch (operation) {
      case 'GetSecretValue': {
        const secret = this.find(input.SecretId);
        const versionId = input.VersionId as string | undefined;
        const stage = (input.VersionStage as string | undefined) ?? (versionId ? undefined : 'AWSCURRENT');
        const version = versionId
          ? secret.versions.get(versionId)
          : this.versionByStage(secret, stage as string);
        if (!version || (stage && !version.stages.has(stage))) {
          throw notFound(` value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`);
        }
        return {
          ARN: this.arn(secret, region),
          Name: secret.name,
          VersionId: version.id,
          SecretString: version.value,
          VersionStages: [...version.stages],
          CreatedDate: epochSeconds(version.createdAt),
        };
      }
      case 'PutSecretValue': {
        const secret = this.find(input.SecretId);
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
            ARN: this.arn(secret, region),
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
        this.ctx.mutated('PutSecretValue');
        return {
          ARN: this.arn(secret, region),
          Name: secret.name,
          VersionId: token,
          VersionStages: [...stages],
        };
      }
      case 'CreateSecret': {
        const name = requireParam(input.Name as string | undefined, 'Name');
        // As AWS: a retry with the same ClientRequestToken and value is ignored and answered as a success.
        const again = input.ClientRequestToken
          ? this.secrets.get(name)?.versions.get(input.ClientRequestToken as string)
          : undefined;
        if (again && again.value === input.SecretString) {
          return { ARN: this.arn(this.find(name), region), Name: name, VersionId: input.ClientRequestToken };
        }
        if (this.secrets.has(name)) {
          throw new AwsError(
            'ResourceExistsException',
            400,
            `The operation failed because the secret ${name} already exists.`,
          );
        }
        const token = (input.ClientRequestToken as string | undefined) ?? crypto.randomUUID();
        const secret = this.create(
          name,
          input.SecretString as string | undefined,
          token,
          input.Description as string | undefined,
        );
        secret.tags = (input.Tags as Secret['tags'] | undefined) ?? [];
        this.ctx.mutated('CreateSecret');
        return {
          ARN: this.arn(secret, region),
          Name: name,
          ...(secret.versions.size ? { VersionId: token } : {}),
        };
      }
      case 'DescribeSecret': {
        const secret = this.find(input.SecretId);
        return this.describe(secret, region);
      }
      case 'ListSecrets':
        return { SecretList: [...this.secrets.values()].map((s) => this.describe(s, region)) };
      default:
        throw new AwsError(
          'UnknownOperationException',
          400,
          `The lab's Secrets Manager has no operation ${operation}.`,
        );
    }
  }

  private describe(secret: Secret, region: string): Record<string, unknown> {
    return {
      ARN: this.arn(secret, region),
      Name: secret.name,
      ...(secret.description ? { Description: secret.description } : {}),
      CreatedDate: epochSeconds(secret.createdAt),
      LastChangedDate: epochSeconds(secret.changedAt),
      Tags: secret.tags,
      VersionIdsToStages: Object.fromEntries(
        [...secret.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]]),
      ),
    };
  }
}
