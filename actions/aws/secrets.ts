// Secrets Manager: write a secret's copy in one region, with that region's control plane only. A replica copy is
// read-only until promoted (StopReplicationToReplica, in its own region); a primary copy can be replicated to other
// regions again, overwriting what they hold
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/standalone-secret.html,
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html).
import {
  planPutSecretValue,
  planReplicateSecretToRegions,
  planStopReplicationToReplica,
} from '../../clients/aws/secrets.ts';
import { DrillError } from '../../core/errors.ts';
import type { PlannedCall, RunContext, StepDefinition } from '../../core/model.ts';
import { type Connection, connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { Select, StepMeta } from '../select.ts';

export interface SecretCopy {
  secretId: string;
  /** The region whose copy is written. */
  region: string;
  /** The copy there may be a replica: promote it first (a standalone secret from then on). */
  promoteReplica: boolean;
  /** Regions to replicate the written copy to again. */
  replicateTo: string[];
}

/** The calls that write `copy`: promote it when a replica, put the value, replicate it again. */
export function planPutSecret(copy: SecretCopy): PlannedCall[] {
  return [
    ...(copy.promoteReplica
      ? [
          {
            ...planStopReplicationToReplica(copy.region, copy.secretId),
            params: { SecretId: copy.secretId, when: 'a replica' },
          },
        ]
      : []),
    planPutSecretValue(copy.region, copy.secretId),
    ...(copy.replicateTo.length > 0
      ? [planReplicateSecretToRegions(copy.region, copy.secretId, copy.replicateTo)]
      : []),
  ];
}

/**
 * Writes `next(current)` as AWSCURRENT of the copy in `copy.region` (promoting it first when it is a replica), then
 * replicates it again. Never logs the value: the detail names the URL's host when the secret is a URL.
 */
export async function putSecret(
  ctx: RunContext<unknown>,
  conn: Pick<Connection<unknown>, 'aws'>,
  copy: SecretCopy & {
    next: (current: string) => Promise<string>;
    /** ClientRequestToken of the put, stable across retries of the step. */
    token: string;
  },
): Promise<{ detail: string; undoData: Record<string, string | boolean> }> {
  const secrets = conn.aws.secrets(copy.region);
  const promotion = await secrets.promoteReplica(copy.secretId, { signal: ctx.signal });
  const current = await secrets.getSecretValue(copy.secretId, { signal: ctx.signal });
  const next = await copy.next(current.value);
  const result = await secrets.putSecretValue(copy.secretId, next, {
    signal: ctx.signal,
    clientRequestToken: copy.token,
  });
  const replicated =
    copy.replicateTo.length > 0
      ? await secrets.replicateTo(copy.secretId, copy.replicateTo, { signal: ctx.signal })
      : { added: [] };
  const host = new URL(next).host;
  const parts = [
    promotion.promoted ? `promoted the ${copy.region} replica (was replicated from ${promotion.from})` : '',
    result.skipped
      ? `${copy.region} copy already points at ${host}`
      : `${copy.region} copy now points at ${host} (version ${result.versionId})`,
    replicated.added.length > 0 ? `replicated to ${replicated.added.join(', ')} again` : '',
  ];
  return {
    detail: parts.filter(Boolean).join('; '),
    undoData: {
      region: copy.region,
      previousVersionId: result.previousVersionId,
      promoted: promotion.promoted,
    },
  };
}

/** A step that points a URL secret somewhere new: reads what `next` needs (`reads`), then writes the copy. */
export function updateSecret<R>(
  meta: StepMeta<R>,
  opts: {
    secretId: Select<R, string | undefined>;
    region: Select<R, string>;
    promoteReplica: boolean;
    replicateTo?: Select<R, string[]>;
    /** What `next` reads, for the plan. */
    reads?: (r: R) => PlannedCall[];
    /** The new value from the current one, with the run's connection (e.g. a writer endpoint read from RDS). */
    next: (ctx: RunContext<R>, conn: Connection<R>, current: string) => Promise<string>;
    /** Said when the target binds no such secret. */
    unbound: string;
    /** Makes the put's ClientRequestToken `<run id>-<tokenTag>`: stable across retries of the step. */
    tokenTag: string;
  },
): StepDefinition<R> {
  const copyOf = (r: R, secretId: string): SecretCopy => ({
    secretId,
    region: opts.region(r),
    promoteReplica: opts.promoteReplica,
    replicateTo: opts.replicateTo?.(r) ?? [],
  });
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => {
      const r = ctx.target.resources;
      return [...(opts.reads?.(r) ?? []), ...planPutSecret(copyOf(r, opts.secretId(r) ?? '<unbound>'))];
    },
    async run(ctx) {
      const conn = await connection(ctx);
      const secretId = opts.secretId(conn.r);
      if (!secretId) throw new DrillError('E_USAGE', opts.unbound);
      return putSecret(ctx as RunContext<unknown>, conn, {
        ...copyOf(conn.r, secretId),
        next: (current) => opts.next(ctx, conn, current),
        token: `${ctx.runId}-${opts.tokenTag}`.slice(0, 64).padEnd(32, '0'),
      });
    },
  });
}
