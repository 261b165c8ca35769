// `pnpm lab up | status | env | fault | heal | down` as a user runs them, in a temp dir: up is idempotent,
// env exports work for kubectl and the AWS SDK, a hand fault darkens eu-west-1 until heal, down leaves no process.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { stopDaemon } from './platform/daemon-control.ts';
import { type LabInfo, readLabInfo } from './platform/info.ts';
import type { LabStatus } from './platform/status.ts';
import { makeLabDir } from './testing/lab-fixture.ts';
import { waitFor } from './testing/poll.ts';

const execFileAsync = promisify(execFile);
const REPO = new URL('..', import.meta.url).pathname;
const dir = makeLabDir('lab-cli');

afterAll(async () => {
  await stopDaemon(dir); // safety net when a test failed before `down`
  await rm(dir, { recursive: true, force: true });
}, 60_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pnpm --silent lab <args>` with LAB_DIR pointing at this test's lab directory. */
async function lab(...args: string[]): Promise<Run> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await execFileAsync('pnpm', ['--silent', 'lab', ...args], {
      cwd: REPO,
      env: { ...process.env, LAB_DIR: dir },
      timeout: 150_000,
    });
    console.log(`pnpm lab ${args.join(' ')}: ${Date.now() - started} ms`);
    return { code: 0, stdout: stdout.trim(), stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout?.trim() ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

/** Live (non-zombie) processes: pid → command line. */
async function liveProcesses(): Promise<Map<number, string>> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'pid=,stat=,args=']);
  const live = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (match && !match[2]?.startsWith('Z')) live.set(Number(match[1]), match[3] as string);
  }
  return live;
}

async function status(): Promise<LabStatus> {
  const run = await lab('status', '--json');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as LabStatus;
}

async function healthStatus(url: string): Promise<number | string> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return `${(error as Error).message}`;
  }
}

let info: LabInfo;

describe('pnpm lab as a CLI', { timeout: 240_000 }, () => {
  it('up starts the lab in the background, and a second up finds it instead of starting another', async () => {
    const before = await lab('status');
    expect(before.code).toBe(2);
    expect(before.stderr).toContain(`lab: no lab is running in ${dir}: start one with \`pnpm lab up\``);

    const up = await lab('up');
    expect(up.code).toBe(0);
    const read = await readLabInfo(dir);
    expect(read).not.toBeNull();
    info = read as LabInfo;
    expect(up.stdout.split('\n')[0]).toMatch(
      new RegExp(`^lab up in \\d+\\.\\d s \\(pid ${info.pid}, dir ${dir}\\)$`),
    );
    console.log(`pnpm lab up: ${up.stdout.split('\n')[0]}`);
    expect(await healthStatus(info.publicUrl)).toBe(200);

    const again = await lab('up');
    expect(again.stdout).toBe(`lab already up in ${dir} (pid ${info.pid}); public URL ${info.publicUrl}`);
    expect((await readLabInfo(dir))?.pid).toBe(info.pid);
    const daemons = [...(await liveProcesses()).values()].filter((args) =>
      args.includes(`lab/daemon.ts ${dir}`),
    );
    expect(daemons).toHaveLength(1);
  });

  it('env prints exports that kubectl and the AWS SDK work with', async () => {
    const env = await lab('env');
    expect(env.stdout).toBe(
      [
        `export AWS_ENDPOINT_URL=${info.aws.endpoint}`,
        'export AWS_REGION=eu-west-1',
        'export AWS_DEFAULT_REGION=eu-west-1',
        `export AWS_ACCESS_KEY_ID=${info.aws.accessKeyId}`,
        `export AWS_SECRET_ACCESS_KEY=${info.aws.secretAccessKey}`,
        `export KUBECONFIG=${info.kubeconfig}`,
        `export LUNEO_PUBLIC_URL=${info.publicUrl}`,
        `export API_BASE_URL=${info.publicUrl}`,
      ].join('\n'),
    );
    const exported = Object.fromEntries(
      env.stdout.split('\n').map((line) => line.replace(/^export /, '').split('=', 2) as [string, string]),
    );
    const { stdout } = await execFileAsync(
      '/usr/bin/kubectl',
      ['get', 'deployment', 'luneo-api', '-n', 'luneo-platform', '-o', 'jsonpath={.status.readyReplicas}'],
      { env: { ...process.env, KUBECONFIG: exported.KUBECONFIG } },
    );
    expect(stdout).toBe('2');
    const sts = new STSClient({
      endpoint: exported.AWS_ENDPOINT_URL,
      region: exported.AWS_REGION,
      credentials: {
        accessKeyId: exported.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: exported.AWS_SECRET_ACCESS_KEY as string,
      },
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(info.aws.accountId);
    sts.destroy();
  });

  it('fault region-outage darkens eu-west-1 until heal, and status reports both', async () => {
    const calm = await status();
    expect(calm).toMatchObject({ writer: 'eu-west-1', faults: [] });
    // DNS answers with the region's load balancer (which region may flap for a TTL on a loaded machine).
    expect(calm.dns.answer).toBe(`alb.${calm.dns.region}.luneo.lab`);
    const text = await lab('status');
    expect(text.stdout.split('\n')[0]).toMatch(new RegExp(`^public URL   ${info.publicUrl} → `));
    expect(calm.replicating).toBe(true);
    expect(calm.regions['eu-west-1'].reach).toMatchObject({
      database: { ok: true },
      loadBalancer: { ok: true },
      awsControlPlane: true,
    });

    const fault = await lab('fault', 'region-outage');
    expect(fault.stdout).toBe(
      'eu-west-1 is dark: database, load balancer, EKS API and AWS endpoints unreachable, replication cut',
    );
    // Its AWS endpoints too: a request signed for eu-west-1 is never answered; us-east-1's replica answers.
    const secrets = (region: string) =>
      new SecretsManagerClient({
        endpoint: info.aws.endpoint,
        region,
        credentials: { accessKeyId: info.aws.accessKeyId, secretAccessKey: info.aws.secretAccessKey },
        maxAttempts: 1,
        requestHandler: { requestTimeout: 2000, throwOnRequestTimeout: true },
      });
    const read = (region: string) => {
      const client = secrets(region);
      return client
        .send(new GetSecretValueCommand({ SecretId: info.secrets.databaseUrl }))
        .then(
          (s) => s.ARN ?? '',
          (e: Error) => e.name,
        )
        .finally(() => client.destroy());
    };
    expect(await read('eu-west-1')).toBe('TimeoutError');
    expect(await read('us-east-1')).toMatch(/^arn:aws:secretsmanager:us-east-1:/);
    const dark = await status();
    expect(dark.faults.map((f) => ({ kind: f.kind, region: f.region, source: f.source }))).toEqual([
      { kind: 'region-outage', region: 'eu-west-1', source: 'hand' },
    ]);
    expect(await healthStatus(info.regions['eu-west-1'].albUrl)).not.toBe(200);
    // What a user of eu-west-1 sees, not what its processes think of themselves (they keep running).
    expect(dark.replicating).toBe(false);
    expect(dark.regions['eu-west-1'].reach).toMatchObject({
      database: { ok: false },
      loadBalancer: { ok: false },
      awsControlPlane: false,
    });
    expect(dark.regions['us-east-1'].reach).toMatchObject({ database: { ok: true }, awsControlPlane: true });
    const darkText = (await lab('status')).stdout;
    expect(darkText).toContain('replication BROKEN (WAN cut)');
    expect(darkText).toMatch(/eu-west-1 +database .* from clients UNREACHABLE/);
    expect(darkText).toContain('AWS endpoints UNREACHABLE');

    const heal = await lab('heal');
    expect(heal.stdout).toBe('every fault reverted');
    expect((await status()).faults).toEqual([]);
    expect(await read('eu-west-1')).toMatch(/^arn:aws:secretsmanager:eu-west-1:/);
    await waitFor('eu-west-1 load balancer /health 200 after heal', async () => {
      return (await healthStatus(info.regions['eu-west-1'].albUrl)) === 200;
    });
  });

  it('down stops every process the lab started and leaves none behind', async () => {
    // The daemon rewrites pids.json every 2 s; status reports the same list live.
    const recorded: number[] = JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8'));
    const live = (await status()).pids;
    const owned = [...new Set([info.pid, ...recorded, ...live])];
    const before = await liveProcesses();
    // postmasters, their backends (these come and go) and 8 pods
    expect(live.filter((pid) => before.has(pid)).length).toBeGreaterThanOrEqual(10);
    // postgres servers run from the lab dir; pods are in pids.json
    const inDir = [...before].filter(([, args]) => args.includes(dir)).map(([pid]) => pid);
    expect(inDir.length).toBeGreaterThanOrEqual(3); // daemon + 2 postgres

    const down = await lab('down');
    expect(down.stdout).toBe(`lab down (${dir})`);
    const after = await liveProcesses();
    expect([...new Set([...owned, ...inDir])].filter((pid) => after.has(pid))).toEqual([]);
    expect([...after.values()].filter((args) => args.includes(dir))).toEqual([]);
    expect(existsSync(join(dir, 'lab.json'))).toBe(false);

    const twice = await lab('down');
    expect(twice.stdout).toBe(`no lab was running in ${dir}`);
  });
});
