// Per-run connections to a target, for every action of every app: AWS clients and Kubernetes clients (audited),
// and the target's resources as the target resolved them (Target.connect: the lab reads its lab.json there, so
// no action knows the lab). Live targets resolve nothing and use AWS's default credential chain and kubeconfig.
import type { S3Client } from '@aws-sdk/client-s3';
import { AwsClients } from '../clients/aws/clients.ts';
import { S3, s3Client } from '../clients/aws/s3.ts';
import { KubeClient } from '../clients/kube/kube.ts';
import type { RunContext, TargetConnection } from '../core/model.ts';

export interface Connection<R> {
  /** The target's resources, with what it resolved on connecting in place of its static bindings. */
  r: R;
  aws: AwsClients;
  /** S3 in one region (path-style where the target has its own endpoint). */
  s3(region: string): S3;
  /** A Kubernetes client on one kubeconfig context. */
  kube(context: string): KubeClient;
  /** The kubeconfig the contexts come from (undefined: the default one). */
  kubeconfig: string | undefined;
  /** The account the calls go to, for ARNs (resolved, else the target's first allowed account). */
  accountId: string;
}

/** Where the run's connection is kept in `ctx.state` (a test puts its own there). */
export const CONNECTION_KEY = 'drill:connection';
const views = new WeakMap<RunContext<unknown>, Promise<Connection<unknown>>>();

/**
 * The run's connections, made once per run (the target resolved once), seen through this step's or probe's
 * context: the clients share their connections but record each call under the phase and step that made it.
 */
export function connection<R>(ctx: RunContext<R>): Promise<Connection<R>> {
  const key = ctx as RunContext<unknown>;
  let view = views.get(key) as Promise<Connection<R>> | undefined;
  if (!view) {
    view = shared(ctx).then((conn) => boundTo(conn, ctx));
    views.set(key, view as Promise<Connection<unknown>>);
  }
  return view;
}

function shared<R>(ctx: RunContext<R>): Promise<Connection<R>> {
  const cached = ctx.state.get(CONNECTION_KEY) as Promise<Connection<R>> | undefined;
  if (cached) return cached;
  const built = connect(ctx);
  ctx.state.set(CONNECTION_KEY, built);
  // A failed connection (the lab not up yet) is tried again by the next call, not remembered.
  built.catch(() => ctx.state.delete(CONNECTION_KEY));
  return built;
}

function boundTo<R>(conn: Connection<R>, ctx: RunContext<R>): Connection<R> {
  const kubes = new Map<string, KubeClient>();
  return {
    ...conn,
    aws: conn.aws.withAudit(ctx.audit),
    s3(region) {
      const shared = conn.s3(region);
      return new S3(shared.client, region, { audit: ctx.audit, retry: conn.aws.factory.retryPolicy });
    },
    kube(context) {
      let client = kubes.get(context);
      if (!client) {
        client = conn.kube(context).withAudit(ctx.audit);
        kubes.set(context, client);
      }
      return client;
    },
  };
}

async function connect<R>(ctx: RunContext<R>): Promise<Connection<R>> {
  const target = ctx.target;
  const resolved: TargetConnection<R> = target.connect
    ? await target.connect({ resources: target.resources })
    : {};
  const endpoint = resolved.aws?.endpoint ?? target.aws.endpoint;
  const credentials = resolved.aws?.credentials;
  const aws = new AwsClients(
    {
      region: target.aws.regions[0] ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    },
    { audit: ctx.audit },
  );
  const kubeconfig = resolved.kube?.kubeconfig ?? target.kube?.kubeconfig;
  const kubes = new Map<string, KubeClient>();
  const s3s = new Map<string, S3Client>();
  return {
    r: { ...target.resources, ...resolved.resources },
    aws,
    s3(region) {
      let client = s3s.get(region);
      if (!client) {
        client = s3Client(aws.factory.config, region);
        s3s.set(region, client);
      }
      return new S3(client, region, { audit: ctx.audit, retry: aws.factory.retryPolicy });
    },
    kubeconfig,
    accountId: resolved.aws?.accountId ?? target.aws.accountIds?.[0] ?? '000000000000',
    kube(context) {
      let client = kubes.get(context);
      if (!client) {
        client = KubeClient.fromKubeconfig({
          ...(kubeconfig ? { kubeconfigPath: kubeconfig } : {}),
          context,
          audit: ctx.audit,
        });
        kubes.set(context, client);
      }
      return client;
    },
  };
}
