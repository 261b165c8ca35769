// The lab's S3: Luneo's versioned artifact buckets in both regions, replication eu-west-1 → us-east-1 enabled at
// boot, and the replication path across its own WAN Link (latency; cut by a region outage of either side).
import { join } from 'node:path';
import { Link } from '../../net/link.ts';
import { LUNEO, PRIMARY_REGION, type Region, SECONDARY_REGION } from '../../regions.ts';
import { LabBackendError, type LabResource } from '../backend.ts';
import { S3Replication } from './replication.ts';
import { S3Store } from './store.ts';
import { httpTransport, startReplicaReceiver } from './transport.ts';

/** Bucket names as the targets bind them (targets/lab.ts and targets/prod.ts `resources.s3`). */
export const LUNEO_BUCKETS: Record<Region, string> = {
  [PRIMARY_REGION]: 'luneo-prod-artifacts',
  [SECONDARY_REGION]: 'luneo-prod-artifacts-dr',
} as Record<Region, string>;

export const LUNEO_REPLICATION_ROLE = `arn:aws:iam::${LUNEO.accountId}:role/luneo-s3-replication`;
export const LUNEO_REPLICATION_RULE = 'artifacts-to-us-east-1';

export interface LabS3 {
  store: S3Store;
  replication: S3Replication;
  /** The replication path; lab.ts adds it to both regions' outage links. */
  wan: Link;
  /** FIS targets (aws:s3:bucket), tagged like Luneo's buckets. */
  resources(): LabResource[];
  /** aws:s3:bucket-pause-replication on the resolved source buckets, with the action's parameters; returns the resume. */
  pauseReplication(sourceBuckets: string[], parameters: Record<string, string>): () => void;
  close(): Promise<void>;
}

export async function startLabS3(opts: {
  dir: string;
  wanLatencyMs: number;
  log?: (line: string) => void;
}): Promise<LabS3> {
  const store = new S3Store(
    join(opts.dir),
    Object.entries(LUNEO_BUCKETS).map(([region, name]) => ({ name, region, versioning: 'Enabled' as const })),
  );
  const receiver = await startReplicaReceiver(store);
  const wan = new Link({
    name: 's3-wan',
    target: { host: '127.0.0.1', port: receiver.port },
    latencyMs: opts.wanLatencyMs,
    cutMode: 'reset',
  });
  const wanPort = await wan.start();
  const transport = httpTransport(() => wanPort);
  const replication = new S3Replication(store, transport, { ...(opts.log ? { log: opts.log } : {}) });
  const source = store.bucket(LUNEO_BUCKETS[PRIMARY_REGION]);
  source.replication = {
    role: LUNEO_REPLICATION_ROLE,
    rules: [
      {
        id: LUNEO_REPLICATION_RULE,
        priority: 1,
        prefix: '',
        filtered: true,
        status: 'Enabled',
        deleteMarkerReplication: 'Disabled',
        destinationBucket: LUNEO_BUCKETS[SECONDARY_REGION],
        storageClass: 'STANDARD',
      },
    ],
  };
  return {
    store,
    replication,
    wan,
    resources: () =>
      store.buckets().map((b) => ({
        arn: `arn:aws:s3:::${b.name}`,
        type: 'aws:s3:bucket',
        region: b.region as Region,
        id: b.name,
        tags: { Name: b.name, Region: b.region, DisruptS3: 'Allowed' },
      })),
    pauseReplication(sourceBuckets, parameters) {
      const region = parameters.region;
      if (!region)
        throw new LabBackendError(
          'ValidationException',
          "aws:s3:bucket-pause-replication needs the parameter region (the destination buckets' region)",
        );
      const list = (text: string | undefined) =>
        (text ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      const inRegion = store
        .buckets()
        .filter((b) => b.region === region)
        .map((b) => b.name);
      const named = list(parameters.destinationBuckets);
      const destinationBuckets = named.length > 0 ? named.filter((n) => inRegion.includes(n)) : inRegion;
      const prefixes = list(parameters.prefixes);
      const resumes = sourceBuckets.map((sourceBucket) =>
        replication.pause({ sourceBucket, destinationBuckets, ...(prefixes.length ? { prefixes } : {}) }),
      );
      return () => {
        for (const resume of resumes) resume();
      };
    },
    async close() {
      replication.stop();
      transport.close();
      await wan.close();
      await receiver.close();
      // Objects live as long as the lab: a new lab starts with empty buckets.
      await store.clear();
    },
  };
}
