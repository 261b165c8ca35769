// Start the endpoint over a FakeBackend with a flippable health server, and SDK client settings for it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_INFO_VERSION } from '../../platform/info.ts';
import { type AwsServer, type AwsServerOptions, startAwsServer } from '../server.ts';
import { FakeBackend, luneoSeed } from './fake-backend.ts';
import { type FlipServer, startFlipServer } from './flip-server.ts';

export interface Harness {
  server: AwsServer;
  backend: FakeBackend;
  primaryHealth: FlipServer;
  secondaryHealth: FlipServer;
  /** Constructor config for any SDK v3 client: local endpoint, static credentials, no retries. */
  client(region?: string): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
  /** A lab directory whose lab.json points the drill's lab context at this endpoint (what actions/luneo reads). */
  labDir(prefix: string): string;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<AwsServerOptions> = {}): Promise<Harness> {
  const backend = new FakeBackend();
  const primaryHealth = await startFlipServer(200);
  const secondaryHealth = await startFlipServer(200);
  const server = await startAwsServer({
    backend,
    seed: luneoSeed(primaryHealth.port, secondaryHealth.port),
    healthCheckIntervalMs: 20,
    failureThreshold: 2,
    changePropagationMs: 60_000,
    metricsIntervalMs: 20,
    ...options,
  });
  return {
    server,
    backend,
    primaryHealth,
    secondaryHealth,
    client: (region = 'us-east-1') => ({
      endpoint: server.url,
      region,
      credentials: { accessKeyId: 'AKIALAB', secretAccessKey: 'lab-secret' },
      maxAttempts: 1,
    }),
    labDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      // No cluster behind this endpoint: an empty kubeconfig, so the contexts a target names read as missing.
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [] }),
      );
      const info = {
        version: LAB_INFO_VERSION,
        dir,
        pid: process.pid,
        aws: {
          endpoint: server.url,
          accessKeyId: 'AKIALAB',
          secretAccessKey: 'lab-secret',
          accountId: '111122223333',
        },
        kubeconfig,
        hostedZoneId: 'Z1',
        healthChecks: { primary: 'hc-1' },
      };
      writeFileSync(join(dir, 'lab.json'), JSON.stringify(info));
      return dir;
    },
    async close() {
      await server.close();
      await primaryHealth.close();
      await secondaryHealth.close();
    },
  };
}
