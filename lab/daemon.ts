// The background process behind `pnpm lab up`: owns the lab until `pnpm lab down` (SIGTERM) or /shutdown.
import { appendFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startLab } from './lab.ts';
import { startControlServer } from './platform/control.ts';
import { writeLabInfo } from './platform/info.ts';
import { REGIONS } from './regions.ts';

const dir = resolve(process.argv[2] ?? '.lab');
const logFile = join(dir, 'lab.log');
const log = (line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
const wanLatencyMs = Number(process.env.LAB_WAN_LATENCY_MS ?? 250);
// Tests that run many drills on one lab probe faster (Route 53 health checks, default 1000 ms).
const healthCheckIntervalMs = process.env.LAB_HEALTH_CHECK_INTERVAL_MS
  ? Number(process.env.LAB_HEALTH_CHECK_INTERVAL_MS)
  : undefined;

async function main(): Promise<void> {
  await rm(join(dir, 'boot-error.txt'), { force: true });
  const lab = await startLab({
    dir,
    log,
    wanLatencyMs,
    ...(healthCheckIntervalMs ? { healthCheckIntervalMs } : {}),
  });
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    clearInterval(pidWriter);
    await lab.stop();
    await rm(join(dir, 'lab.json'), { force: true });
    await rm(join(dir, 'pids.json'), { force: true });
    log('stopped');
    process.exit(0);
  };
  const controlPort = await startControlServer(lab, {
    wanLatencyMs,
    onShutdown: () => void shutdown('shutdown request'),
  });
  // Every pid the lab owns, so `lab down` can clean up even after this process was killed with SIGKILL.
  const writePids = () => {
    const pids = [...lab.db.pids(), ...REGIONS.flatMap((r) => lab.clusters[r].podPids())];
    writeFileSync(join(dir, 'pids.json'), JSON.stringify(pids));
  };
  writePids();
  const pidWriter = setInterval(writePids, 2000);
  pidWriter.unref();
  await writeLabInfo({ ...lab.info, controlUrl: `http://127.0.0.1:${controlPort}` });
  log(`up in ${lab.info.bootMs} ms; public URL ${lab.info.publicUrl}`);
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: Error) => {
  log(`boot failed: ${error.stack ?? error.message}`);
  writeFileSync(join(dir, 'boot-error.txt'), error.message);
  process.exit(1);
});
