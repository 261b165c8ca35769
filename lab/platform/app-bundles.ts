// The pods' entry points (lab/app) bundled into one plain-JavaScript file each, once per content of their sources:
// a pod then starts as `node <bundle>` instead of paying tsx's TypeScript loader and the resolution of a thousand
// module files at every start (8 pods start at once on a lab boot). The pods run the same code either way.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { APP_ENTRIES, type AppDeployment } from '../app/entries.ts';

/** The command of each deployment's container. */
export type AppCommands = Record<AppDeployment, string[]>;

/** Through tsx, from the sources: what runs when bundling is off or impossible. */
export const TSX_COMMANDS: AppCommands = mapEntries((entry) => ['node', '--import', 'tsx', entry]);

// Bundled code still reaches node's builtins and CommonJS packages through `require`.
const BANNER =
  "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);";
// pg's optional native binding is loaded only when asked for (pg.native): never in the lab.
const EXTERNAL = ['pg-native'];
const BUILD_FORMAT = 'esm-node20-v1';

interface BuiltBundles {
  /** Hash of the version (hashInputs) of every input the bundles were built from. */
  inputsHash: string;
  inputs: string[];
  dir: string;
}

type Esbuild = {
  version: string;
  build(options: Record<string, unknown>): Promise<{ metafile?: { inputs: Record<string, unknown> } }>;
};

/**
 * The pod commands: bundles from `cacheRoot` when their sources have not changed since they were built, else built
 * now (about a second); the tsx commands when LAB_APP_BUNDLE=0 or the bundler is unavailable.
 */
export async function appCommands(
  log: (line: string) => void,
  cacheRoot = join(tmpdir(), `drill-lab-apps-${process.getuid?.() ?? 'user'}`),
  entries: Record<AppDeployment, string> = APP_ENTRIES,
): Promise<AppCommands> {
  if (process.env.LAB_APP_BUNDLE === '0') return TSX_COMMANDS;
  try {
    // One pointer per checkout: two clones (or worktrees) on a machine never run each other's code.
    const pointer = join(cacheRoot, `latest-${hashText(JSON.stringify(entries))}.json`);
    const bundles =
      (await reusableBundles(pointer, entries)) ?? (await buildBundles(cacheRoot, pointer, entries, log));
    return mapEntries((_, name) => ['node', join(bundles.dir, `${name}.mjs`)]);
  } catch (error) {
    log(`pods run through tsx: bundling lab/app failed: ${(error as Error).message}`);
    return TSX_COMMANDS;
  }
}

async function reusableBundles(
  pointer: string,
  entries: Record<AppDeployment, string>,
): Promise<BuiltBundles | undefined> {
  let latest: BuiltBundles;
  try {
    latest = JSON.parse(await readFile(pointer, 'utf8')) as BuiltBundles;
  } catch {
    return undefined;
  }
  const complete = Object.keys(entries).every((name) => existsSync(join(latest.dir, `${name}.mjs`)));
  if (!complete) return undefined;
  const hash = await hashInputs(latest.inputs).catch(() => undefined);
  return hash === latest.inputsHash ? latest : undefined;
}

async function buildBundles(
  cacheRoot: string,
  pointer: string,
  entries: Record<AppDeployment, string>,
  log: (line: string) => void,
): Promise<BuiltBundles> {
  const esbuild = loadEsbuild();
  await mkdir(cacheRoot, { recursive: true });
  const scratch = await mkdtemp(join(cacheRoot, 'build-'));
  try {
    const result = await esbuild.build({
      entryPoints: entries,
      outdir: scratch,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: EXTERNAL,
      banner: { js: BANNER },
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: process.cwd(),
    });
    const inputs = Object.keys(result.metafile?.inputs ?? {})
      .map((path) => (isAbsolute(path) ? path : resolve(process.cwd(), path)))
      .sort();
    if (inputs.length === 0) throw new Error('esbuild reported no inputs');
    const inputsHash = await hashInputs(inputs);
    const dir = join(cacheRoot, `${esbuild.version}-${inputsHash}`);
    try {
      await rename(scratch, dir);
    } catch (error) {
      // Another lab built the same sources first: theirs is as good.
      if (!existsSync(dir)) throw error;
    }
    const built: BuiltBundles = { inputsHash, inputs, dir };
    const written = `${pointer}.${process.pid}-${Date.now()}`;
    await writeFile(written, JSON.stringify(built));
    await rename(written, pointer);
    log(`bundled the pods' entry points (${inputs.length} sources) into ${dir}`);
    return built;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** esbuild is the compiler tsx runs on (a dependency of the tsx this project runs with): loaded from there. */
function loadEsbuild(): Esbuild {
  const fromTsx = createRequire(import.meta.resolve('tsx'));
  return fromTsx('esbuild') as Esbuild;
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Which version of each input: path, size and modification time (a check of ~900 files must stay cheap). */
async function hashInputs(paths: string[]): Promise<string> {
  const stats = await Promise.all(paths.map((path) => stat(path)));
  const hash = createHash('sha256').update(`${BUILD_FORMAT}\n`);
  paths.forEach((path, i) => {
    hash.update(`${path} ${stats[i]?.size} ${stats[i]?.mtimeMs}\n`);
  });
  return hash.digest('hex').slice(0, 16);
}

function mapEntries(command: (entry: string, name: AppDeployment) => string[]): AppCommands {
  return Object.fromEntries(
    Object.entries(APP_ENTRIES).map(([name, entry]) => [name, command(entry, name as AppDeployment)]),
  ) as AppCommands;
}
