// lab.json: every endpoint of a running lab, for `pnpm lab env`, targets/lab.ts and tests. No passwords in it.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Region } from '../regions.ts';

export const LAB_INFO_VERSION = 1;

export interface LabInfo {
  version: typeof LAB_INFO_VERSION;
  dir: string;
  /** The process that owns the lab (the daemon, or the test process for startLab()). */
  pid: number;
  startedAt: string;
  bootMs: number;
  publicUrl: string;
  publicHost: string;
  controlUrl: string;
  aws: { endpoint: string; accessKeyId: string; secretAccessKey: string; accountId: string };
  kubeconfig: string;
  contexts: Record<Region, string>;
  regions: Record<Region, { albUrl: string; albHost: string; kubeApi: string; dbEndpoint: string }>;
  secrets: { databaseUrl: string; redisUrl?: string };
  /** The Redis pair as an ElastiCache Global Datastore: its id and each region's endpoint (host:port of the client Link). */
  cache?: { globalReplicationGroupId: string; endpoints: Record<Region, string> };
  hostedZoneId: string;
  healthChecks: { primary: string; secondary?: string };
  /** Chat webhook + Statuspage-style API (runbook §7); their secrets are in Secrets Manager only. */
  comms?: { url: string; statuspagePageId: string };
}

export function labInfoPath(dir: string): string {
  return join(dir, 'lab.json');
}

export async function writeLabInfo(info: LabInfo): Promise<void> {
  const path = labInfoPath(info.dir);
  await writeFile(`${path}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

export async function readLabInfo(dir: string): Promise<LabInfo | null> {
  try {
    const info = JSON.parse(await readFile(labInfoPath(dir), 'utf8')) as LabInfo;
    return info.version === LAB_INFO_VERSION ? info : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
