// The lab target's preparation: use the lab that is up in its directory, or start an ephemeral one
// (a background daemon, so a killed drill can still be rolled back) and stop it when the run is over.
// `pnpm drill` starts the ephemeral lab ahead (prepareLabAhead, in the CLI while vitest and its worker start up);
// the worker's prepareLab then adopts that lab (waits for it to serve) and stops it after the run, as before.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DrillError } from '../core/errors.ts';
import type { TargetConnection } from '../core/model.ts';
import { runningLab, startDaemon, stopDaemon } from '../lab/platform/daemon-control.ts';
import { isAlive, type LabInfo, labInfoPath, readLabInfo } from '../lab/platform/info.ts';

/** Names the run an ephemeral lab booting (or up) in the directory was started for. */
const AHEAD_FILE = 'ephemeral-for-run';
/** The worker took the lab over: it stops it after the run. */
const ADOPTED_FILE = 'ephemeral-adopted';
/** The ahead start failed: its error, for the worker waiting on it. */
const AHEAD_FAILED_FILE = 'ephemeral-boot-failed';
/** startDaemon's own bound, plus room for the CLI to report its failure. */
const ADOPT_TIMEOUT_MS = 130_000;
const ADOPT_POLL_MS = 50;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function labUpSync(dir: string): boolean {
  try {
    const info = JSON.parse(readFileSync(labInfoPath(dir), 'utf8')) as LabInfo;
    return Boolean(info.controlUrl) && isAlive(info.pid);
  } catch {
    return false;
  }
}

function stopper(dir: string, log: (line: string) => void): () => Promise<void> {
  return async () => {
    await stopDaemon(dir);
    for (const file of [AHEAD_FILE, ADOPTED_FILE, AHEAD_FAILED_FILE])
      await rm(join(dir, file), { force: true });
    log(`lab: ephemeral lab in ${dir} stopped`);
  };
}

export async function prepareLab(
  dirOption: string,
  log: (line: string) => void,
  runId: string | undefined = process.env.DRILL_RUN_ID,
): Promise<(() => Promise<void>) | undefined> {
  const dir = resolve(dirOption);
  if (runId && read(join(dir, AHEAD_FILE)) === runId) return adoptLab(dir, runId, log);
  const running = await runningLab(dir);
  if (running) {
    log(`lab: using the lab already up in ${dir} (pid ${running.pid})`);
    return undefined;
  }
  log(`lab: none up in ${dir}; starting an ephemeral lab (stopped after the drill)`);
  const info = await startDaemon(dir);
  log(`lab: up in ${(info.bootMs / 1000).toFixed(1)} s, public URL ${info.publicUrl}`);
  return stopper(dir, log);
}

/**
 * Starts the ephemeral lab of run `runId` when none is up, without waiting for the worker: returns what to call
 * once the run is over, which stops the lab only if no worker adopted it (a worker that did stops it itself).
 */
export async function prepareLabAhead(
  dirOption: string,
  log: (line: string) => void,
  runId: string,
): Promise<() => Promise<void>> {
  const dir = resolve(dirOption);
  // Synchronous up to the mark, so a prepare() of this run that comes next sees it.
  if (labUpSync(dir)) return async () => {};
  mkdirSync(dir, { recursive: true });
  for (const file of [AHEAD_FAILED_FILE, ADOPTED_FILE]) rmSync(join(dir, file), { force: true });
  writeFileSync(join(dir, AHEAD_FILE), runId);
  let release: (() => Promise<void>) | undefined;
  try {
    log(`lab: none up in ${dir}; starting an ephemeral lab (stopped after the drill)`);
    const info = await startDaemon(dir);
    log(`lab: up in ${(info.bootMs / 1000).toFixed(1)} s, public URL ${info.publicUrl}`);
    release = stopper(dir, log);
  } catch (error) {
    writeFileSync(join(dir, AHEAD_FAILED_FILE), (error as Error).message);
    await stopDaemon(dir);
    throw error;
  }
  const stop = release;
  return async () => {
    // The worker that adopted the lab stops it (and removes these files) itself.
    if (read(join(dir, AHEAD_FILE)) === runId && !existsSync(join(dir, ADOPTED_FILE))) await stop();
  };
}

/** The worker's half: waits for the lab started ahead for this run, takes it over, stops it when the run is over. */
async function adoptLab(
  dir: string,
  runId: string,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + ADOPT_TIMEOUT_MS;
  for (;;) {
    const failed = read(join(dir, AHEAD_FAILED_FILE));
    if (failed !== undefined) throw new Error(failed);
    if (await runningLab(dir)) break;
    if (Date.now() > deadline)
      throw new Error(
        `the ephemeral lab started for run ${runId} did not come up (log: ${join(dir, 'lab.log')})`,
      );
    await sleep(ADOPT_POLL_MS);
  }
  writeFileSync(join(dir, ADOPTED_FILE), runId);
  return stopper(dir, log);
}

/** The resources an app binds to what the lab draws at boot (the lab's names: lab/regions.ts). */
export interface LabBoundResources {
  hostedZone: { name: string; id?: string };
  primaryHealthCheckId?: string;
  publicUrl: string;
  regionUrls?: Record<string, string>;
  /** A status page whose apiUrl is `lab:comms` is bound to the lab's comms server. */
  comms?: { statuspage?: { apiUrl: string } };
}

/**
 * What a run learns from the lab up in `dirOption` (its lab.json): the AWS endpoint and keys, the kubeconfig, and
 * the bindings the lab draws at boot (hosted zone, health check, public, regional and comms URLs).
 */
export async function labConnection<R extends LabBoundResources>(
  dirOption: string,
  resources: R,
): Promise<TargetConnection<R>> {
  const dir = resolve(dirOption);
  const lab = await readLabInfo(dir);
  // A lab.json whose daemon is gone (kill -9, a reboot) names endpoints nothing answers any more.
  if (!lab || !isAlive(lab.pid))
    throw new DrillError(
      'E_PREFLIGHT',
      `no lab is running in ${dir}${lab ? ` (its lab.json names pid ${lab.pid}, which is gone)` : ''}: start one ` +
        'with `pnpm lab up` (a drill run starts an ephemeral one by itself)',
    );
  const statuspage = resources.comms?.statuspage;
  const bound: Partial<LabBoundResources> = {
    hostedZone: { ...resources.hostedZone, id: lab.hostedZoneId },
    ...(resources.primaryHealthCheckId ? {} : { primaryHealthCheckId: lab.healthChecks.primary }),
    publicUrl: lab.publicUrl,
    regionUrls: Object.fromEntries(
      Object.entries(lab.regions ?? {}).map(([region, r]) => [region, r.albUrl]),
    ),
    ...(statuspage?.apiUrl === 'lab:comms' && lab.comms && resources.comms
      ? { comms: { ...resources.comms, statuspage: { ...statuspage, apiUrl: lab.comms.url } } }
      : {}),
  };
  return {
    aws: {
      endpoint: lab.aws.endpoint,
      credentials: { accessKeyId: lab.aws.accessKeyId, secretAccessKey: lab.aws.secretAccessKey },
      accountId: lab.aws.accountId,
    },
    kube: { kubeconfig: lab.kubeconfig },
    // Each bound field keeps the shape R gave it (comms is R's own, with only its status page URL replaced).
    resources: bound as Partial<R>,
  };
}
