// Finds scenarios (scenarios/<name>.ts) and targets (targets/<name>.ts) without importing them all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DrillError } from './errors.ts';
import { didYouMean } from './validate/suggest.ts';

/** The repository root (this file lives in <root>/core/). */
export const PROJECT_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export interface CatalogueEntry {
  name: string;
  /** Path relative to the project root, e.g. `scenarios/aurora-outage.ts`. */
  file: string;
  summary: string;
}

function moduleNames(folder: string): string[] {
  const dir = join(PROJECT_ROOT, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export const scenarioNames = (): string[] => moduleNames('scenarios');
export const targetNames = (): string[] => moduleNames('targets');

// `list` must answer fast: scenario modules may pull AWS SDKs, so read the summary from the source text
// (the first `summary: '...'`, or `export const meta = { summary: ... }` when a file declares one).
const SUMMARY = /\bsummary:\s*(['"`])((?:\\.|(?!\1).)*)\1/;

export function scenarioCatalogue(): CatalogueEntry[] {
  return scenarioNames().map((name) => {
    const file = join('scenarios', `${name}.ts`);
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
  const known = kind === 'scenario' ? scenarioNames() : targetNames();
  if (!known.includes(name)) throw notFound(kind, name, known);
  return join(kind === 'scenario' ? 'scenarios' : 'targets', `${name}.ts`);
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
