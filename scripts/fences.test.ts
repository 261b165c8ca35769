// The fences between top-level folders (issue 17, DESIGN.md "Shape"), checked on every source file's imports.
// Like Playwright's DEPS.list: a table of what each folder's shipped code may import. Tests and test helpers
// (*.test.ts, *.bench.ts, testing.ts, testing/, TEST_SUPPORT) may reach any folder to set up what they prove, but
// take part in the circle check like every file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ImportEdge, importCircles, importsOf, sourceFiles } from './import-graph.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Top-level folders (and root files) → the other folders their shipped code may import. */
const DEPS: Record<string, readonly string[]> = {
  // The engine: knows nothing of AWS, Kubernetes, Luneo, the lab, reports or scenarios.
  core: [],
  // The CLIs' composition root, the one part of core that wires scenarios, targets and reports together. Its own row
  // (a sub-folder row applies to the files under it) until the CLIs move out of core/ to one top-level place.
  'core/cli': ['clients', 'actions', 'probes', 'targets', 'apps', 'reports', 'live'],
  // Thin SDK wrappers: the engine's types, nothing of scenarios.
  clients: ['core'],
  // Checks of what users see.
  probes: ['core', 'clients'],
  // Steps and faults, and an app's own steps and probes: never the lab (a target resolves it), never a target.
  actions: ['core', 'clients', 'probes'],
  // Generic target parts (the lab session, the safety platform's pieces): the one place that may start a lab.
  targets: ['core', 'clients', 'actions', 'probes', 'lab'],
  // This repository's apps, one folder each (apps/luneo: resources, steps, probes, targets, scenarios, runbook):
  // generic steps and targets bound to one platform, never the lab itself.
  apps: ['core', 'clients', 'actions', 'probes', 'targets'],
  // Folds of a run's record.
  reports: ['core', 'probes'],
  // The live page of a run: its events, journal and control channel (core), served and drawn.
  live: ['core'],
  // Vitest specs: bind a scenario and a target, run the engine, mirror it in Allure.
  drills: ['core', 'probes', 'reports', 'index.ts'],
  // The embedded platform: a faithful adversary that imports nothing of the drill.
  lab: [],
  // Another team's app: only the public entry point (package `drill`, index.ts).
  examples: ['index.ts'],
  // The public entry point.
  'index.ts': ['core', 'actions', 'probes'],
  // Harnesses over everything.
  bench: ['core', 'clients', 'actions', 'probes', 'targets', 'apps', 'lab'],
  safety: ['core', 'clients', 'actions', 'probes', 'targets', 'apps', 'reports', 'lab'],
  scripts: [],
  'vitest.config.ts': ['scripts'],
};

/** Parts of an allowed folder that a folder may still not import. */
const DENIED: Record<string, readonly string[]> = {
  // The vitest harness runs the engine through the public API, not through CLI internals.
  drills: ['core/cli/'],
};

/** Packages a folder's shipped code may not import (DESIGN.md: core knows nothing of AWS, Kubernetes or vitest). */
const FORBIDDEN_PACKAGES: Record<string, readonly string[]> = {
  core: ['@aws-sdk/', '@smithy/', '@kubernetes/', 'aws-sdk', 'vitest', 'allure', 'playwright'],
  clients: ['vitest', 'allure'],
  lab: ['vitest', 'allure'],
};

/** Test helpers outside a testing/ folder: the fidelity bench's harness and the world it drives. */
const TEST_SUPPORT = ['probes/fidelity-harness.ts', 'probes/fidelity-world.ts'];

/**
 * Known violations, each with why it is still here. The test fails on any violation not listed, and on an entry
 * that no longer occurs (delete it when the import is gone).
 */
const KNOWN_VIOLATIONS: Record<string, string> = {};

/**
 * Known import circles, each with why it is still here; same rules as above. A key ending in `/` tolerates any
 * circle whose files all lie in that folder; otherwise the key lists files (space-separated) that a tolerated circle
 * contains, so a circle elsewhere is new.
 */
const KNOWN_CIRCLES: Record<string, string> = {};

/** The KNOWN_CIRCLES key that tolerates `circle` (its files), if any. */
function knownCircle(circle: readonly string[]): string | undefined {
  return Object.keys(KNOWN_CIRCLES).find((key) =>
    key.endsWith('/')
      ? circle.every((file) => file.startsWith(key))
      : key.split(' ').every((file) => circle.includes(file)),
  );
}

const isTestCode = (file: string) =>
  /\.(test|bench)\.ts$|(^|\/)testing(\/|\.ts$)/.test(file) ||
  file.startsWith('safety/') ||
  TEST_SUPPORT.includes(file);

const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

/** The table row that governs a file: its sub-folder's row when the table has one, else its top-level folder's. */
const rowOf = (file: string) =>
  Object.keys(DEPS).find((row) => row.includes('/') && file.startsWith(`${row}/`)) ?? folderOf(file);

function projectPackage(): { name: string; exports: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
    name: string;
    exports?: Record<string, string>;
  };
  return { name: pkg.name, exports: pkg.exports ?? {} };
}

/** Every import that crosses a fence, as `from -> to`. */
function violations(edges: readonly ImportEdge[]): string[] {
  const found: string[] = [];
  for (const e of edges) {
    const from = folderOf(e.from);
    const row = rowOf(e.from);
    if (e.kind === 'package') {
      if (isTestCode(e.from)) continue;
      const banned = FORBIDDEN_PACKAGES[row] ?? [];
      if (banned.some((p) => e.to === p || e.to.startsWith(p))) found.push(`${e.from} -> ${e.to}`);
      continue;
    }
    const to = folderOf(e.to);
    if (from === to || isTestCode(e.from)) continue;
    const denied = (DENIED[row] ?? []).some((p) => e.to.startsWith(p));
    if (denied || !(DEPS[row] ?? []).includes(to)) found.push(`${e.from} -> ${e.to}`);
  }
  return [...new Set(found)].sort();
}

function projectEdges(): { files: string[]; edges: ImportEdge[] } {
  const files = sourceFiles(ROOT);
  const { name, exports } = projectPackage();
  return { files, edges: files.flatMap((f) => importsOf(ROOT, f, name, exports)) };
}

describe('fences between top-level folders', () => {
  const { files, edges } = projectEdges();

  it('reads the imports of every file, type-only and dynamic ones too', () => {
    // This very file imports node:fs, vitest and ./import-graph.ts; the model is imported with `import type` by
    // clients and dynamically (`await import`) by the CLI: a reader that missed either would miss those edges.
    expect(files.length).toBeGreaterThan(300);
    const to = (from: string) => edges.filter((e) => e.from === from).map((e) => e.to);
    expect(to('scripts/fences.test.ts')).toEqual([
      'node:fs',
      'node:url',
      'vitest',
      'scripts/import-graph.ts',
    ]);
    expect(edges).toContainEqual(
      expect.objectContaining({ from: 'core/cli/main.ts', to: 'core/cli/run-command.ts' }),
    );
  });

  it('every top-level folder has a row in the table', () => {
    const folders = new Set(files.map(folderOf));
    expect([...folders].filter((f) => !(f in DEPS))).toEqual([]);
  });

  it('no import crosses a fence, except the known ones listed with their reason', () => {
    const found = violations(edges);
    const known = Object.keys(KNOWN_VIOLATIONS);
    expect(
      found.filter((v) => !known.includes(v)),
      'new imports across a fence',
    ).toEqual([]);
    expect(
      known.filter((v) => !found.includes(v)),
      'fixed: delete from KNOWN_VIOLATIONS',
    ).toEqual([]);
  });

  it('no import circle among files, except the known ones listed with their reason', () => {
    const circles = importCircles(edges);
    expect(
      circles.filter((c) => !knownCircle(c)).map((c) => c.join(' ')),
      'new import circles',
    ).toEqual([]);
    const tolerated = new Set(circles.map(knownCircle));
    expect(
      Object.keys(KNOWN_CIRCLES).filter((k) => !tolerated.has(k)),
      'fixed: delete from KNOWN_CIRCLES',
    ).toEqual([]);
  });
});
