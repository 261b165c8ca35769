// pnpm lab up | down | status | env | fault | heal: the lab from a shell.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runningLab, startDaemon, stopDaemon } from './platform/daemon-control.ts';
import type { LabInfo } from './platform/info.ts';
import { formatStatus, type LabStatus } from './platform/status.ts';

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
  const info = await startDaemon(dir);
  console.log(`lab up in ${(info.bootMs / 1000).toFixed(1)} s (pid ${info.pid}, dir ${dir})`);
  console.log(`public URL ${info.publicUrl}  (stands for https://${info.publicHost})`);
  console.log('shell exports: eval "$(pnpm --silent lab env)"');
}

async function down(dir: string): Promise<void> {
  const { wasRunning, leftovers } = await stopDaemon(dir);
  const extra = leftovers ? `; killed ${leftovers} leftover process(es)` : '';
  console.log(wasRunning ? `lab down (${dir})${extra}` : `no lab was running in ${dir}${extra}`);
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
