// Finds scenarios (<app>/scenarios/<name>.ts) and targets (<app>/targets/<name>.ts) without importing them all, in
// each app folder of this repository (apps/<app>/) and in each app folder named by DRILL_APPS (a team's own, kept
// elsewhere).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DrillError } from './errors.ts';
import { didYouMean } from './validate/suggest.ts';

/** The repository root (this file lives in <root>/core/). */
export const PROJECT_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export interface CatalogueEntry {
  name: string;
  /** Path relative to the project root, e.g. `apps/luneo/scenarios/aurora-outage.ts`. */
  file: string;
  summary: string;
}

/** Env var naming app folders (path-delimited, relative to the working directory): `DRILL_APPS=../our-drills`. */
export const APPS_ENV = 'DRILL_APPS';

/** This repository's app folders (apps/<app>/), each with its own scenarios/ and targets/. */
export const APPS_DIR = join(PROJECT_ROOT, 'apps');

/** The folders that hold scenarios/ and targets/: this repository's apps first, then each app folder of DRILL_APPS. */
function roots(): string[] {
  const own = existsSync(APPS_DIR)
    ? readdirSync(APPS_DIR, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(APPS_DIR, entry.name))
        .sort()
    : [];
  const apps = (process.env[APPS_ENV] ?? '').split(delimiter).filter((dir) => dir !== '');
  return [...own, ...apps.map((dir) => resolve(dir))];
}

/** name → file relative to the project root, for each `<root>/<folder>/<name>.ts`; a name twice is an error. */
function modules(folder: 'scenarios' | 'targets'): Map<string, string> {
  const found = new Map<string, string>();
  for (const root of roots()) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    const names = readdirSync(dir).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'),
    );
    for (const f of names.sort()) {
      const name = f.slice(0, -3);
      const file = relative(PROJECT_ROOT, join(dir, f));
      const other = found.get(name);
      if (other)
        throw new DrillError(
          'E_VALIDATION',
          `${folder.slice(0, -1)} "${name}" is defined twice: ${other} and ${file}`,
        );
      found.set(name, file);
    }
  }
  return found;
}

export const scenarioNames = (): string[] => [...modules('scenarios').keys()].sort();
export const targetNames = (): string[] => [...modules('targets').keys()].sort();

// `list` must answer fast: scenario modules may pull AWS SDKs, so read the summary from the source text
// (the first `summary: '...'`, or `export const meta = { summary: ... }` when a file declares one).
const SUMMARY = /\bsummary:\s*(['"`])((?:\\.|(?!\1).)*)\1/;

export function scenarioCatalogue(): CatalogueEntry[] {
  const files = modules('scenarios');
  return scenarioNames().map((name) => {
    const file = files.get(name)!;
    const match = SUMMARY.exec(readFileSync(join(PROJECT_ROOT, file), 'utf8'));
    return { name, file, summary: match?.[2]?.replace(/\\(.)/g, '$1') ?? '(no summary)' };
  });
}

function notFound(kind: 'scenario' | 'target', name: string, known: string[]): DrillError {
  const guess = didYouMean(name, known);
  const hint = guess ? `did you mean "${guess}"?` : `known ${kind}s: ${known.join(', ') || 'none'}`;
  return new DrillError('E_NOT_FOUND', `unknown ${kind} "${name}": ${hint}`);
}

/** The file of a scenario or target, relative to the root; throws E_NOT_FOUND with the nearest name. */
export function resolveModule(kind: 'scenario' | 'target', name: string): string {
  const found = modules(kind === 'scenario' ? 'scenarios' : 'targets');
  const file = found.get(name);
  if (!file) throw notFound(kind, name, [...found.keys()].sort());
  return file;
}

/** Imports a scenario or target module and returns its default export. */
export async function loadModule(
  kind: 'scenario' | 'target',
  name: string,
): Promise<{ file: string; value: unknown }> {
  const file = resolveModule(kind, name);
  const mod = (await import(pathToFileURL(join(PROJECT_ROOT, file)).href)) as { default?: unknown };
  if (mod.default === undefined) {
    throw new DrillError(
      'E_VALIDATION',
      `${file}: expected a default export (export default define${kind === 'scenario' ? 'Scenario' : 'Target'}({...}))`,
    );
  }
  return { file, value: mod.default };
}

export function relativeToRoot(path: string): string {
  return relative(PROJECT_ROOT, path);
}
