// One lab daemon per safety test file (as `pnpm lab up` runs it), tuned to be fast, with what the
// safety tests read from it: mutation counts, control-plane faults, FIS experiments, an order via the public URL.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FisClient, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ControlPlaneFaults } from '../../lab/aws/faults.ts';
import { startDaemon, stopDaemon } from '../../lab/platform/daemon-control.ts';
import type { LabInfo } from '../../lab/platform/info.ts';
import type { LabStatus } from '../../lab/platform/status.ts';
import { PRIMARY_REGION, REGIONS } from '../../lab/regions.ts';
import { makeLabDir } from '../../lab/testing/lab-fixture.ts';
import { waitFor } from '../../lab/testing/poll.ts';

export interface SafetyLabOptions {
  /** Replication latency (the lab default is 250 ms; lower means less lag and faster drills). */
  wanLatencyMs?: number;
  /** Route 53 health check interval (the lab default is 1000 ms). */
  healthCheckIntervalMs?: number;
}

export interface SafetyLab {
  dir: string;
  info: LabInfo;
  /** Environment for `pnpm drill` processes: the lab target uses this lab, outputs go to `outDir`. */
  env: NodeJS.ProcessEnv;
  outDir: string;
  /** Mutating AWS calls the lab applied since it started, by operation. */
  mutations(): Promise<Record<string, number>>;
  setControlPlaneFaults(faults: ControlPlaneFaults | null): Promise<void>;
  status(): Promise<LabStatus>;
  /** FIS experiments in any region that are not finished (pending, initiating, running, stopping). */
  liveExperiments(): Promise<{ id: string; state: string; region: string }[]>;
  /** The lab target's drill lock (`drill/lock/lab`): "free", "held", or "absent" before any drill took it. */
  lockState(): Promise<string>;
  /** POSTs an order through the public URL until it answers 201 (or `timeoutMs`); returns its id. */
  placeOrder(timeoutMs?: number): Promise<string>;
  /** Stops this lab and starts a fresh one in the same directory (a kept failover needs a clean lab). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startSafetyLab(prefix: string, opts: SafetyLabOptions = {}): Promise<SafetyLab> {
  const dir = makeLabDir(prefix);
  const outDir = mkdtempSync(join(tmpdir(), `${prefix}-out-`));
  const daemonEnv = {
    LAB_WAN_LATENCY_MS: String(opts.wanLatencyMs ?? 250),
    ...(opts.healthCheckIntervalMs
      ? { LAB_HEALTH_CHECK_INTERVAL_MS: String(opts.healthCheckIntervalMs) }
      : {}),
  };
  let info = await startDaemon(dir, { env: daemonEnv });
  const control = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${info.controlUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`lab control ${method} ${path}: ${json.error ?? res.status}`);
    return json;
  };
  const lab: SafetyLab = {
    dir,
    get info() {
      return info;
    },
    env: { ...process.env, CI: '1', LAB_DIR: dir },
    outDir,
    mutations: () => control('GET', '/mutations'),
    setControlPlaneFaults: async (faults) => {
      await control('POST', '/control-plane-faults', faults ?? {});
    },
    status: () => control('GET', '/status'),
    async liveExperiments() {
      const found: { id: string; state: string; region: string }[] = [];
      for (const region of REGIONS) {
        const fis = new FisClient({
          region,
          endpoint: info.aws.endpoint,
          credentials: { accessKeyId: info.aws.accessKeyId, secretAccessKey: info.aws.secretAccessKey },
          maxAttempts: 3,
        });
        try {
          const out = await fis.send(new ListExperimentsCommand({}));
          for (const e of out.experiments ?? []) {
            const state = e.state?.status ?? 'unknown';
            if (!['completed', 'stopped', 'failed', 'cancelled'].includes(state))
              found.push({ id: e.id ?? '?', state, region });
          }
        } finally {
          fis.destroy();
        }
      }
      return found;
    },
    async lockState() {
      const sm = new SecretsManagerClient({
        region: PRIMARY_REGION,
        endpoint: info.aws.endpoint,
        credentials: { accessKeyId: info.aws.accessKeyId, secretAccessKey: info.aws.secretAccessKey },
        maxAttempts: 3,
      });
      try {
        const lock = await sm.send(new GetSecretValueCommand({ SecretId: 'drill/lock/lab' }));
        return (JSON.parse(lock.SecretString ?? '{}') as { state?: string }).state ?? 'unreadable';
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return 'absent';
        throw error;
      } finally {
        sm.destroy();
      }
    },
    async placeOrder(timeoutMs = 30_000) {
      return waitFor(
        `an order through the public URL ${info.publicUrl}`,
        async () => {
          const res = await fetch(`${info.publicUrl}/api/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sku: 'LUN-MUG-002', quantity: 1, email: 'safety@example.com' }),
            signal: AbortSignal.timeout(5_000),
          });
          const text = await res.text();
          if (res.status !== 201) throw new Error(`POST /api/orders answered ${res.status}: ${text}`);
          return (JSON.parse(text) as { id: string }).id;
        },
        { timeoutMs },
      );
    },
    async restart() {
      await stopDaemon(dir);
      info = await startDaemon(dir, { env: daemonEnv });
    },
    async close() {
      await stopDaemon(dir);
      if (process.env.KEEP_LAB !== '1') {
        await rm(dir, { recursive: true, force: true });
        await rm(outDir, { recursive: true, force: true });
      }
    },
  };
  return lab;
}

/** The region the lab's writer and DNS are in, e.g. to tell a kept failover from an undone one. */
export function servingRegion(status: LabStatus): string | null {
  return status.writer === status.dns.region ? status.writer : null;
}

export { PRIMARY_REGION };
