// Start and stop the lab daemon (`pnpm lab up|down`, and the ephemeral lab of a drill).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isAlive, type LabInfo, readLabInfo } from './info.ts';
import { killLeftovers } from './leftovers.ts';

const DAEMON = fileURLToPath(new URL('../daemon.ts', import.meta.url));

/** The lab running in `dir`, or null. */
export async function runningLab(dir: string): Promise<LabInfo | null> {
  const info = await readLabInfo(dir);
  return info && isAlive(info.pid) && info.controlUrl ? info : null;
}

/**
 * Starts the daemon in the background and waits until it serves; the daemon outlives this process. What a previous
 * lab in `dir` left running is killed first, so the new one never picks a port one of its processes still holds.
 */
export async function startDaemon(
  dir: string,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<LabInfo> {
  mkdirSync(dir, { recursive: true });
  await killLeftovers(dir);
  await rm(join(dir, 'lab.json'), { force: true });
  await rm(join(dir, 'boot-error.txt'), { force: true });
  const out = openSync(join(dir, 'daemon.out'), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', DAEMON, dir], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...opts.env },
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  child.unref();
  const started = Date.now();
  while (Date.now() - started < (opts.timeoutMs ?? 120_000)) {
    await sleep(200);
    const info = await readLabInfo(dir);
    if (info?.controlUrl && info.pid === child.pid) return info;
    const bootError = join(dir, 'boot-error.txt');
    if (existsSync(bootError) || (child.pid !== undefined && !isAlive(child.pid))) {
      const reason = existsSync(bootError) ? readFileSync(bootError, 'utf8') : 'the lab process exited';
      throw new Error(`lab failed to start: ${reason} (log: ${join(dir, 'lab.log')})`);
    }
  }
  throw new Error(
    `lab did not come up within ${(opts.timeoutMs ?? 120_000) / 1000} s (log: ${join(dir, 'lab.log')})`,
  );
}

/** Stops the daemon and waits until nothing it left behind runs; returns whether a lab was running. */
export async function stopDaemon(dir: string): Promise<{ wasRunning: boolean; leftovers: number }> {
  const info = await readLabInfo(dir);
  const wasRunning = Boolean(info && isAlive(info.pid));
  if (info && wasRunning) {
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {}
    const deadline = Date.now() + 30_000;
    while (isAlive(info.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(info.pid)) {
      try {
        process.kill(-info.pid, 'SIGKILL');
      } catch {}
    }
  }
  const leftovers = await killLeftovers(dir);
  await rm(join(dir, 'lab.json'), { force: true });
  return { wasRunning, leftovers };
}
