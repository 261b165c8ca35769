// The pods' bundled entry points: built once, reused while their sources are unchanged, rebuilt when one changes,
// and a bundle runs the app as its TypeScript source does (plain node, no tsx).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppDeployment } from '../app/entries.ts';
import { freePort } from '../net/ports.ts';
import { appCommands } from './app-bundles.ts';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function cacheRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'drill-app-bundles-test-'));
  made.push(dir);
  return dir;
}

describe('the pods run bundled entry points', { timeout: 120_000 }, () => {
  it('bundles each deployment once and reuses the bundles while no source changed', async () => {
    const root = await cacheRoot();
    const said: string[] = [];
    const first = await appCommands((line) => said.push(line), root);
    for (const command of Object.values(first)) {
      expect(command).toHaveLength(2);
      expect(command[0]).toBe('node');
      expect(command[1]).toMatch(/\.mjs$/);
      expect(existsSync(command[1] as string)).toBe(true);
    }
    expect(said.filter((l) => l.startsWith('bundled'))).toHaveLength(1);
    const again = await appCommands((line) => said.push(line), root);
    expect(again).toEqual(first);
    expect(said.filter((l) => l.startsWith('bundled'))).toHaveLength(1);
  });

  it('builds again when one of the sources changed since', async () => {
    const root = await cacheRoot();
    const said: string[] = [];
    await appCommands((line) => said.push(line), root);
    // Stand-in for an edited source: an input whose size and time change after the build.
    const [pointer] = (await readdir(root)).filter((f) => /^latest-[0-9a-f]+\.json$/.test(f));
    const latestFile = join(root, pointer as string);
    const latest = JSON.parse(await readFile(latestFile, 'utf8')) as { inputs: string[] };
    const edited = join(root, 'edited-source.ts');
    await writeFile(edited, 'export const a = 1;\n');
    latest.inputs.push(edited);
    await writeFile(latestFile, JSON.stringify(latest));
    await writeFile(edited, 'export const a = 12;\n');
    await appCommands((line) => said.push(line), root);
    expect(said.filter((l) => l.startsWith('bundled'))).toHaveLength(2);
  });

  it('two checkouts on one machine each run their own code (one cache, one pointer per checkout)', async () => {
    const root = await cacheRoot();
    const trees = await Promise.all(['tree-a', 'tree-b'].map((name) => fakeCheckout(name)));
    const said: string[] = [];
    const [a, b] = [
      await appCommands((l) => said.push(l), root, trees[0]),
      await appCommands((l) => said.push(l), root, trees[1]),
    ];
    expect(await runToEnd(a['luneo-frontend'])).toBe('tree-a luneo-frontend\n');
    expect(await runToEnd(b['luneo-frontend'])).toBe('tree-b luneo-frontend\n');
    // Each is reused afterwards: two builds in all.
    expect(await appCommands((l) => said.push(l), root, trees[0])).toEqual(a);
    expect(said.filter((l) => l.startsWith('bundled'))).toHaveLength(2);
  });

  it('LAB_APP_BUNDLE=0 runs the pods through tsx from the sources', async () => {
    const before = process.env.LAB_APP_BUNDLE;
    process.env.LAB_APP_BUNDLE = '0';
    try {
      const commands = await appCommands(() => {}, await cacheRoot());
      expect(commands['luneo-api'].slice(0, 3)).toEqual(['node', '--import', 'tsx']);
      expect(commands['luneo-api'][3]).toMatch(/lab\/app\/api\.ts$/);
    } finally {
      if (before === undefined) delete process.env.LAB_APP_BUNDLE;
      else process.env.LAB_APP_BUNDLE = before;
    }
  });

  it('a bundle serves as its source does: luneo-frontend answers /healthz, started by plain node', async () => {
    const commands = await appCommands(() => {});
    const [node, bundle] = commands['luneo-frontend'];
    const port = await freePort();
    const child = spawn(node as string, [bundle as string], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), REGION: 'eu-west-1', POD_NAME: 'bundle-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const output = await readyLine(child);
      expect(output).toMatch(/luneo-frontend ready on 127\.0\.0\.1:\d+/);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** A directory standing for a checkout: one entry per deployment that prints the tree's name and its own. */
async function fakeCheckout(name: string): Promise<Record<AppDeployment, string>> {
  const dir = join(await cacheRoot(), name);
  await mkdir(dir);
  const entries = {} as Record<AppDeployment, string>;
  for (const deployment of ['luneo-api', 'luneo-frontend', 'ai-worker'] as const) {
    entries[deployment] = join(dir, `${deployment}.ts`);
    await writeFile(entries[deployment], `const who: string = '${name} ${deployment}';\nconsole.log(who);\n`);
  }
  return entries;
}

function runToEnd(command: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', () => resolve(output));
  });
}

function readyLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(' ready on ')) resolve(output);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ready: ${output}`)));
  });
}
