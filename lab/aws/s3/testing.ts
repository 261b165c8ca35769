// For tests: the lab's S3 (buckets, replication over its own Link) behind the local AWS endpoint, with FIS
// actions mapped by the real LabFaults, in-process and without the rest of the lab.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { ReplicatedDatabase } from '../../db/replicated-database.ts';
import { LabFaults } from '../../platform/faults.ts';
import { PRIMARY_REGION, SECONDARY_REGION } from '../../regions.ts';
import { FakeBackend } from '../testing/fake-backend.ts';
import { type Harness, startHarness } from '../testing/harness.ts';
import { type LabS3, startLabS3 } from './lab-s3.ts';

export interface S3TestEndpoint {
  dir: string;
  lab: LabS3;
  harness: Harness;
  faults: LabFaults;
  /** An SDK v3 client for the region, path-style against the local endpoint. */
  s3(region?: string): S3Client;
  close(): Promise<void>;
}

export async function startS3TestEndpoint(opts: { wanLatencyMs?: number } = {}): Promise<S3TestEndpoint> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-s3-'));
  const lab = await startLabS3({ dir: join(dir, 's3'), wanLatencyMs: opts.wanLatencyMs ?? 50 });
  const faults = new LabFaults({
    // Only S3 faults are injected here: the database and region links are never touched.
    db: undefined as unknown as ReplicatedDatabase,
    regionLinks: { [PRIMARY_REGION]: [lab.wan], [SECONDARY_REGION]: [lab.wan] } as never,
    kubeApi: {} as never,
    s3: lab,
    log: () => {},
  });
  const backend = new FakeBackend();
  backend.injectFault = (action) => faults.injectFisAction(action);
  backend.resources = () => lab.resources();
  const harness = await startHarness({ backend, s3: lab, changePropagationMs: 0 });
  const clients: S3Client[] = [];
  return {
    dir,
    lab,
    harness,
    faults,
    s3(region = PRIMARY_REGION) {
      const client = new S3Client({ ...harness.client(region), forcePathStyle: true });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      await faults.healAll();
      await harness.close();
      await lab.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
