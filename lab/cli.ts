// pnpm lab up | down | status | env | fault | heal: the lab from a shell.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { isAlive, type LabInfo, readLabInfo } from './platform/info.ts';
import { formatStatus, type LabStatus } from './platform/status.ts';

const DAEMON = fileURLToPath(new URL('./daemon.ts', import.meta.url));

async function control<T>(info: LabInfo, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${info.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const json = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new UsageError(json.error ?? `HTTP ${response.status}`);
  return json;
}

class UsageError extends Error {}

async function runningLab(dir: string): Promise<LabInfo | null> {
  const info = await readLabInfo(dir);
  return info && isAlive(info.pid) && info.controlUrl ? info : null;
}

async function requireLab(dir: string): Promise<LabInfo> {
  const info = await runningLab(dir);
  if (!info) throw new UsageError(`no lab is running in ${dir}: start one with \`pnpm lab up\``);
  return info;
}

export function envExports(info: LabInfo): string {
  return [
    `export AWS_ENDPOINT_URL=${info.aws.endpoint}`,
    `export AWS_REGION=eu-west-1`,
    `export AWS_DEFAULT_REGION=eu-west-1`,
    `export AWS_ACCESS_KEY_ID=${info.aws.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${info.aws.secretAccessKey}`,
    `export KUBECONFIG=${info.kubeconfig}`,
    `export LUNEO_PUBLIC_URL=${info.publicUrl}`,
    `export API_BASE_URL=${info.publicUrl}`,
  ].join('\n');
}

async function up(dir: string): Promise<void> {
  const existing = await runningLab(dir);
  if (existing) {
    console.log(`lab already up in ${dir} (pid ${existing.pid}); public URL ${existing.publicUrl}`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  await rm(join(dir, 'lab.json'), { force: true });
  const out = openSync(join(dir, 'daemon.out'), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', DAEMON, dir], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  const started = Date.now();
  while (Date.now() - started < 120_000) {
    await sleep(200);
    const info = await readLabInfo(dir);
    if (info?.controlUrl && info.pid === child.pid) {
      console.log(`lab up in ${(info.bootMs / 1000).toFixed(1)} s (pid ${info.pid}, dir ${dir})`);
      console.log(`public URL ${info.publicUrl}  (stands for https://${info.publicHost})`);
      console.log('shell exports: eval "$(pnpm --silent lab env)"  or  pnpm lab env');
      return;
    }
    const bootError = join(dir, 'boot-error.txt');
    if (existsSync(bootError) || (child.pid !== undefined && !isAlive(child.pid))) {
      const reason = existsSync(bootError) ? readFileSync(bootError, 'utf8') : 'the lab process exited';
      throw new Error(`lab failed to start: ${reason} (log: ${join(dir, 'lab.log')})`);
    }
  }
  throw new Error(`lab did not come up within 120 s (log: ${join(dir, 'lab.log')})`);
}

async function down(dir: string): Promise<void> {
  const info = await readLabInfo(dir);
  if (info && isAlive(info.pid)) {
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {}
    const deadline = Date.now() + 30_000;
    while (isAlive(info.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(info.pid)) process.kill(-info.pid, 'SIGKILL');
  }
  const leftovers = killLeftovers(dir);
  await rm(join(dir, 'lab.json'), { force: true });
  console.log(
    info
      ? `lab down (${dir})${leftovers ? `; killed ${leftovers} leftover process(es)` : ''}`
      : `no lab was running in ${dir}`,
  );
}

/** Processes a killed daemon left behind (it records every pid it owns in pids.json). */
function killLeftovers(dir: string): number {
  const file = join(dir, 'pids.json');
  if (!existsSync(file)) return 0;
  let killed = 0;
  for (const pid of JSON.parse(readFileSync(file, 'utf8')) as number[]) {
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {}
    }
  }
  return killed;
}

const program = new Command('lab')
  .description('The embedded two-region Luneo platform (eu-west-1 primary, us-east-1 DR)')
  .option('--dir <dir>', 'lab directory', process.env.LAB_DIR ?? '.lab')
  .showHelpAfterError();
const dirOf = () => resolve(program.opts<{ dir: string }>().dir);

program
  .command('up')
  .description('start the lab in the background (idempotent)')
  .action(() => up(dirOf()));
program
  .command('down')
  .description('stop every process the lab started')
  .action(() => down(dirOf()));
program
  .command('status')
  .description('what runs, which region is writer, where DNS points, injected faults')
  .option('--json', 'machine-readable')
  .action(async (opts: { json?: boolean }) => {
    const info = await requireLab(dirOf());
    const status = await control<LabStatus>(info, 'GET', '/status');
    console.log(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status, info.publicUrl));
  });
program
  .command('env')
  .description('shell exports for the AWS CLI, kubectl and curl')
  .action(async () => console.log(envExports(await requireLab(dirOf()))));
program
  .command('fault')
  .description('inject a fault by hand')
  .argument('<kind>', 'region-outage | db-isolation | db-crash | wan-cut | wan-latency | pod-kill')
  .argument('[arg]', 'region (default eu-west-1), or milliseconds for wan-latency')
  .option('--deployment <name>', 'for pod-kill', 'luneo-api')
  .action(async (kind: string, arg: string | undefined, opts: { deployment: string }) => {
    const info = await requireLab(dirOf());
    const request =
      kind === 'wan-latency' ? { kind, ms: Number(arg) } : { kind, region: arg, deployment: opts.deployment };
    console.log((await control<{ message: string }>(info, 'POST', '/fault', request)).message);
  });
program
  .command('heal')
  .description('revert every injected fault')
  .action(async () =>
    console.log((await control<{ message: string }>(await requireLab(dirOf()), 'POST', '/heal')).message),
  );

program.parseAsync().catch((error: Error) => {
  console.error(`lab: ${error.message}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
