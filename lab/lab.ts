// startLab(): the whole two-region platform on this machine, wired as lab/README.md describes.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readSchemaSql } from './app/schema.ts';
import type { LabResource } from './aws/backend.ts';
import { WORKLOAD_CREDENTIALS } from './aws/iam/principals.ts';
import { startLabS3 } from './aws/s3/lab-s3.ts';
import { type AwsServer, startAwsServer } from './aws/server.ts';
import { drawCommsSecrets, LAB_COMMS } from './comms/luneo.ts';
import { type CommsServer, startCommsServer } from './comms/server.ts';
import { ReplicatedDatabase } from './db/replicated-database.ts';
import { RegionalLoadBalancer } from './edge/alb.ts';
import { PublicEdge } from './edge/public.ts';
import { KubeCluster } from './k8s/cluster.ts';
import { EksEndpoint, type EndpointAccess, endpointAccessFromEnv } from './k8s/eks-endpoint.ts';
import { writeKubeconfig } from './k8s/kubeconfig.ts';
import { Link } from './net/link.ts';
import { appCommands } from './platform/app-bundles.ts';
import { labBackend } from './platform/backend.ts';
import { LabFaults } from './platform/faults.ts';
import { LAB_INFO_VERSION, type LabInfo, writeLabInfo } from './platform/info.ts';
import { luneoManifests } from './platform/manifests.ts';
import { listPodResources } from './platform/pods.ts';
import { waitUntilServing } from './platform/ready.ts';
import { LUNEO_CACHE } from './redis/names.ts';
import { ReplicatedCache } from './redis/replicated-cache.ts';
import { LUNEO, PRIMARY_REGION, REGIONS, type Region, SECONDARY_REGION } from './regions.ts';

export interface LabOptions {
  /** Lab directory (default `.lab` in the working directory). */
  dir?: string;
  /** Replication latency across the WAN link (default 250 ms). */
  wanLatencyMs?: number;
  /** Route 53 health check interval (default 1000 ms) and failure threshold (default 2). */
  healthCheckIntervalMs?: number;
  failureThreshold?: number;
  /** TTL of the api record (default 5 s). */
  ttlSeconds?: number;
  /** How long the old primary waits before Aurora-style rebuild as a secondary after a failover (default 0). */
  rejoinDelayMs?: number;
  /** EKS endpoint access of both clusters (default $LAB_EKS_ENDPOINT_ACCESS, else private): lab/k8s/eks-endpoint.ts. */
  eksEndpointAccess?: EndpointAccess;
  log?: (line: string) => void;
}

export const LAB_CREDENTIALS = {
  accessKeyId: 'AKIALABLUNEO00000000',
  secretAccessKey: 'lab-static-secret-key',
};

export interface Lab {
  info: LabInfo;
  db: ReplicatedDatabase;
  cache: ReplicatedCache;
  aws: AwsServer;
  clusters: Record<Region, KubeCluster>;
  albs: Record<Region, RegionalLoadBalancer>;
  edge: PublicEdge;
  faults: LabFaults;
  /** The chat webhook and status page a drill posts to (runbook §7). */
  comms: CommsServer;
  /** Stops every process and server the lab started. */
  stop(): Promise<void>;
}

const albHost = (region: Region) => `alb.${region}.luneo.lab`;

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const started = performance.now();
  const dir = resolve(options.dir ?? '.lab');
  const log = options.log ?? (() => {});
  // Where a boot's seconds go (bench/lab-boot.bench.ts reads these lines).
  const mark = (phase: string) => log(`boot: ${phase} at ${Math.round(performance.now() - started)} ms`);
  await mkdir(dir, { recursive: true });
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse())
      await stopOne().catch((e) => log(`stop: ${(e as Error).message}`));
  };
  try {
    // The pods' commands (bundled entry points) are ready long before the database.
    const commands = appCommands(log);
    const db = new ReplicatedDatabase({
      dir: join(dir, 'db'),
      primary: PRIMARY_REGION,
      secondary: SECONDARY_REGION,
      wanLatencyMs: options.wanLatencyMs ?? 250,
      initSql: await readSchemaSql(),
      log,
    });
    db.rejoinDelayMs = options.rejoinDelayMs ?? 0;
    stoppers.push(() => db.stop());
    const dbStarted = db.start();
    dbStarted.catch(() => {}); // awaited below; this only keeps an early failure elsewhere from leaving it unhandled
    // Redis replicates across its own WAN link (ElastiCache Global Datastore): a region outage cuts it too.
    const cache = new ReplicatedCache({
      dir: join(dir, 'redis'),
      primary: PRIMARY_REGION,
      secondary: SECONDARY_REGION,
      wanLatencyMs: options.wanLatencyMs ?? 250,
      log,
    });
    stoppers.push(() => cache.stop());
    const cacheStarted = cache.start();
    cacheStarted.catch(() => {}); // awaited below; this only keeps an early failure elsewhere from leaving it unhandled

    const clusters = {} as Record<Region, KubeCluster>;
    const albs = {} as Record<Region, RegionalLoadBalancer>;
    const albLinks = {} as Record<Region, Link>;
    for (const region of REGIONS) {
      const cluster = new KubeCluster({
        name: LUNEO.eksClusters[region],
        region,
        dir: join(dir, 'k8s', region),
        log,
        podEnv: () => podEnv(region),
      });
      clusters[region] = cluster;
      albs[region] = new RegionalLoadBalancer({
        region,
        endpoints: (deployment) => cluster.readyEndpoints(LUNEO.namespace, deployment),
      });
      const albPort = await albs[region].start();
      stoppers.push(() => albs[region].close());
      albLinks[region] = new Link({
        name: `alb-${region}`,
        target: { host: '127.0.0.1', port: albPort },
        cutMode: 'reset',
      });
      await albLinks[region].start();
      stoppers.push(() => albLinks[region].close());
    }

    const kubeLinks = {} as Record<Region, Link>;
    const eksAccess = options.eksEndpointAccess ?? endpointAccessFromEnv('private');
    for (const region of REGIONS) {
      const port = await clusters[region].start();
      stoppers.push(() => clusters[region].stop());
      kubeLinks[region] = new Link({
        name: `eks-${region}`,
        target: { host: '127.0.0.1', port },
        cutMode: 'reset',
      });
      await kubeLinks[region].start();
      stoppers.push(() => kubeLinks[region].close());
    }
    // S3 replication crosses its own WAN link: an outage of either region stops it.
    const s3 = await startLabS3({ dir: join(dir, 's3'), wanLatencyMs: options.wanLatencyMs ?? 250, log });
    stoppers.push(() => s3.close());
    const faults = new LabFaults({
      db,
      s3,
      cache,
      regionLinks: {
        [PRIMARY_REGION]: [albLinks[PRIMARY_REGION], s3.wan],
        [SECONDARY_REGION]: [albLinks[SECONDARY_REGION], s3.wan],
      } as Record<Region, Link[]>,
      eks: Object.fromEntries(
        REGIONS.map((r) => [r, new EksEndpoint(clusters[r], kubeLinks[r], eksAccess)]),
      ) as Record<Region, EksEndpoint>,
      kubeApi: Object.fromEntries(REGIONS.map((r) => [r, `http://127.0.0.1:${clusters[r].port}`])) as Record<
        Region,
        string
      >,
      log,
    });
    stoppers.push(async () => void (await faults.healAll()));
    const secretId = LUNEO.secrets.databaseUrl;
    const commsSecrets = drawCommsSecrets();
    const comms = await startCommsServer({
      chatToken: commsSecrets.chatToken,
      statuspage: {
        pageId: LAB_COMMS.statuspagePageId,
        apiKey: commsSecrets.statuspageApiKey,
        components: { ...LAB_COMMS.components },
      },
      log,
    });
    stoppers.push(() => comms.close());
    // The apps need the writer and the cache, not the standby. Their 8 processes start once the cache's replica has
    // synced, not as soon as its primary serves: the standby's handshake across the WAN (timers of this process) gets
    // a head start before they take the CPU. Starting them at ~0.6 s made the standby stream ~1 s later and the boot
    // slower (median of 8 at load 15-20: 5.4 s against 4.9 s).
    await Promise.all([
      db.writerReady().then(() => mark('database writer ready')),
      cacheStarted.then(() => mark('cache ready')),
    ]);
    let pods: LabResource[] = [];
    const aws = await startAwsServer({
      backend: labBackend({ db, faults, albs, pods: () => pods, buckets: () => s3.resources() }),
      s3,
      cache: {
        backend: cache,
        seed: {
          globalReplicationGroupId: LUNEO_CACHE.globalReplicationGroupId,
          replicationGroups: LUNEO_CACHE.replicationGroups,
        },
      },
      seed: {
        globalClusterId: LUNEO.globalCluster,
        clusters: { ...LUNEO.clusters },
        hostedZone: { name: LUNEO.hostedZoneName },
        failoverRecords: {
          name: LUNEO.apiRecordName,
          ttl: options.ttlSeconds ?? 5,
          primary: {
            region: PRIMARY_REGION,
            value: albHost(PRIMARY_REGION),
            health: { ip: '127.0.0.1', port: albLinks[PRIMARY_REGION].port, path: '/health' },
          },
          secondary: {
            region: SECONDARY_REGION,
            value: albHost(SECONDARY_REGION),
            health: { ip: '127.0.0.1', port: albLinks[SECONDARY_REGION].port, path: '/health' },
          },
        },
        secrets: {
          [secretId]: db.url(PRIMARY_REGION),
          [LUNEO_CACHE.redisUrlSecret]: cache.url(PRIMARY_REGION),
          [LAB_COMMS.secrets.chatWebhookUrl]: comms.chatWebhookUrl,
          [LAB_COMMS.secrets.statuspageApiKey]: commsSecrets.statuspageApiKey,
          [LAB_COMMS.secrets.webhookSecrets]: JSON.stringify(commsSecrets.webhookSecrets),
        },
      },
      healthCheckIntervalMs: options.healthCheckIntervalMs ?? 1000,
      failureThreshold: options.failureThreshold ?? 2,
      // Every request must be signed by the lab's key, as AWS requires (lab/aws/protocol/sigv4-verify.ts).
      credentials: [LAB_CREDENTIALS, WORKLOAD_CREDENTIALS],
      log,
    });
    stoppers.push(() => aws.close());
    mark('aws endpoint up');

    function podEnv(region: Region): Record<string, string> {
      return {
        REGION: region,
        AWS_REGION: region,
        AWS_ENDPOINT_URL: aws.url,
        // The pods' own role (as an EKS pod's IRSA role), not the drill's: lab/aws/iam/principals.ts.
        AWS_ACCESS_KEY_ID: WORKLOAD_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: WORKLOAD_CREDENTIALS.secretAccessKey,
        DATABASE_URL_SECRET_ID: secretId,
        REDIS_URL_SECRET_ID: LUNEO_CACHE.redisUrlSecret,
        WEBHOOK_SECRETS_SECRET_ID: LAB_COMMS.secrets.webhookSecrets,
        APP_VERSION: '2026.11.0-lab',
      };
    }

    const manifests = luneoManifests(await commands);
    await Promise.all(REGIONS.flatMap((region) => manifests.map((m) => clusters[region].apply(m))));
    mark('workloads applied');

    const refreshPods = async () => {
      const lists = await Promise.all(
        REGIONS.map((r) => listPodResources(r, `http://127.0.0.1:${clusters[r].port}`).catch(() => [])),
      );
      pods = lists.flat();
    };
    const podRefresh = setInterval(() => void refreshPods(), 1000);
    stoppers.push(async () => clearInterval(podRefresh));

    const edge = new PublicEdge({
      name: LUNEO.apiRecordName,
      resolve: (name) => aws.resolve(name),
      hosts: (hostname) => {
        const region = REGIONS.find((r) => albHost(r) === hostname.replace(/\.$/, ''));
        return region ? { host: '127.0.0.1', port: albLinks[region].port } : null;
      },
    });
    const edgePort = await edge.start();
    stoppers.push(() => edge.close());

    const kubeconfig = join(dir, 'kubeconfig');
    const contexts = Object.fromEntries(REGIONS.map((r) => [r, LUNEO.eksClusters[r]])) as Record<
      Region,
      string
    >;
    await writeKubeconfig(
      kubeconfig,
      REGIONS.map((r) => ({
        name: LUNEO.eksClusters[r],
        server: `http://127.0.0.1:${kubeLinks[r].port}`,
        context: contexts[r],
        region: r,
      })),
    );
    const publicUrl = `http://127.0.0.1:${edgePort}`;
    // Ready: the public URL serves, the standby streams and its lag is published (whichever comes last).
    await Promise.all([
      dbStarted
        .then(() => mark('standby streaming'))
        .then(async () => {
          if (!(await aws.replicationLagPublished(30_000)))
            throw new Error('the lab published no AuroraGlobalDBRPOLag within 30 s of the standby streaming');
          mark('replication lag published');
        }),
      waitUntilServing({
        publicUrl,
        albUrls: REGIONS.map((r) => `http://127.0.0.1:${albLinks[r].port}`),
        timeoutMs: 60_000,
      }).then(() => mark('serving')),
    ]);

    const info: LabInfo = {
      version: LAB_INFO_VERSION,
      dir,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      bootMs: Math.round(performance.now() - started),
      publicUrl,
      publicHost: LUNEO.apiRecordName.replace(/\.$/, ''),
      controlUrl: '',
      aws: { endpoint: aws.url, ...LAB_CREDENTIALS, accountId: LUNEO.accountId },
      kubeconfig,
      contexts,
      regions: Object.fromEntries(
        REGIONS.map((r) => {
          const endpoint = db.endpoint(r);
          return [
            r,
            {
              albUrl: `http://127.0.0.1:${albLinks[r].port}`,
              albHost: albHost(r),
              kubeApi: `http://127.0.0.1:${kubeLinks[r].port}`,
              dbEndpoint: `${endpoint.host}:${endpoint.port}`,
            },
          ];
        }),
      ) as LabInfo['regions'],
      secrets: { databaseUrl: secretId, redisUrl: LUNEO_CACHE.redisUrlSecret },
      cache: {
        globalReplicationGroupId: LUNEO_CACHE.globalReplicationGroupId,
        endpoints: Object.fromEntries(
          REGIONS.map((r) => [r, `${cache.endpoint(r).host}:${cache.endpoint(r).port}`]),
        ) as Record<Region, string>,
      },
      hostedZoneId: aws.zoneId(),
      healthChecks: aws.healthCheckIds(),
      comms: { url: comms.url, statuspagePageId: LAB_COMMS.statuspagePageId },
    };
    await writeLabInfo(info);
    return { info, db, cache, aws, clusters, albs, edge, faults, comms, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
