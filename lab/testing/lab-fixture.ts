// One real lab per test file: a temp dir the database user can enter, startLab(), and real clients for it.
import { chmodSync, mkdtempSync } from 'node:fs';
import { appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Lab, type LabOptions, startLab } from '../lab.ts';
import type { LabInfo } from '../platform/info.ts';
import { LUNEO, type Region } from '../regions.ts';

export interface TestLab {
  lab: Lab;
  info: LabInfo;
  dir: string;
  /** Wall time of startLab(), ms. */
  bootMs: number;
  /** Stops the lab and removes its directory (keeps it when KEEP_LAB=1, for post-mortems). */
  close(): Promise<void>;
}

/** A fresh directory under the OS temp dir, mode 0755 so PostgreSQL (run as `postgres`) can enter it. */
export function makeLabDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** Boots a lab in a temp dir; its log goes to `<dir>/test.log` (printed path on failure by the caller). */
export async function bootTestLab(
  prefix: string,
  options: Omit<LabOptions, 'dir' | 'log'> = {},
): Promise<TestLab> {
  const dir = makeLabDir(prefix);
  const logFile = join(dir, 'test.log');
  const log = (line: string) =>
    void appendFile(logFile, `${new Date().toISOString()} ${line}\n`).catch(() => {});
  const started = performance.now();
  const lab = await startLab({ ...options, dir, log });
  const bootMs = Math.round(performance.now() - started);
  return {
    lab,
    info: lab.info,
    dir,
    bootMs,
    async close() {
      await lab.stop();
      if (process.env.KEEP_LAB !== '1') await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Client config for any AWS SDK v3 client against the lab: endpoint, region, the static credentials. */
export function awsConfig(info: LabInfo, region: Region) {
  return {
    endpoint: info.aws.endpoint,
    region,
    credentials: { accessKeyId: info.aws.accessKeyId, secretAccessKey: info.aws.secretAccessKey },
    maxAttempts: 1,
  };
}

/** DATABASE_URL as the app reads it: from Secrets Manager. */
export async function databaseUrlFromSecret(info: LabInfo, region: Region): Promise<string> {
  const client = new SecretsManagerClient(awsConfig(info, region));
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: info.secrets.databaseUrl }));
    if (!out.SecretString) throw new Error(`secret ${info.secrets.databaseUrl} has no SecretString`);
    return out.SecretString;
  } finally {
    client.destroy();
  }
}

/** The regional cluster's endpoint as RDS describes it (DescribeDBClusters sent to that region). */
export async function clusterEndpoint(
  info: LabInfo,
  region: Region,
): Promise<{ host: string; port: number }> {
  const rds = new RDSClient(awsConfig(info, region));
  try {
    const out = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: LUNEO.clusters[region] }),
    );
    const cluster = out.DBClusters?.[0];
    if (!cluster?.Endpoint || cluster.Port === undefined)
      throw new Error(`DescribeDBClusters gave no endpoint for ${LUNEO.clusters[region]} in ${region}`);
    return { host: cluster.Endpoint, port: cluster.Port };
  } finally {
    rds.destroy();
  }
}

/** The secret's URL (its user, password and database) pointed at another host:port. */
export function urlAt(databaseUrl: string, endpoint: { host: string; port: number }): string {
  const url = new URL(databaseUrl);
  url.hostname = endpoint.host;
  url.port = String(endpoint.port);
  return url.toString();
}

/** host:port of a postgres URL, as /health reports `database.host` (never the password). */
export function hostOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}`;
}
