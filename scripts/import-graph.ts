// The import graph of the repository's own source files, read with the TypeScript compiler's pre-processor
// (static, type-only, re-export and dynamic imports alike), and the import circles in it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** Folders that hold no source of the project. */
const SKIPPED = new Set(['node_modules', 'out', 'allure-results', 'allure-report']);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

export interface ImportEdge {
  /** Importing file, relative to the root, with `/`. */
  from: string;
  /** A project file (relative path with `/`) for a relative or self-referencing import, else the package name. */
  to: string;
  /** The specifier as written. */
  specifier: string;
  kind: 'file' | 'package';
}

/** Every source file under `root`, relative and with `/`, skipping dot folders and build output. */
export function sourceFiles(root: string, dir = root): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(root, path));
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(relative(root, path).split(sep).join('/'));
    }
  }
  return files.sort();
}

/** The package name of a bare specifier: `@aws-sdk/client-s3/x` → `@aws-sdk/client-s3`, `vitest/node` → `vitest`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * The imports of one file. `selfName` is this package's name: `import … from 'drill'` (or `'drill/x'`) is resolved
 * through `selfExports` (subpath → file) to the file it names, as Node resolves a package's self-reference.
 */
export function importsOf(
  root: string,
  file: string,
  selfName: string,
  selfExports: Record<string, string>,
): ImportEdge[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: specifier }): ImportEdge => {
    if (specifier.startsWith('.')) {
      return {
        from: file,
        to: posix.normalize(posix.join(dirname(file), specifier)),
        specifier,
        kind: 'file',
      };
    }
    if (specifier === selfName || specifier.startsWith(`${selfName}/`)) {
      const subpath = `.${specifier.slice(selfName.length)}`;
      const target = selfExports[subpath];
      if (target) return { from: file, to: posix.normalize(target), specifier, kind: 'file' };
    }
    return { from: file, to: packageName(specifier), specifier, kind: 'package' };
  });
}

/** The strongly connected components of more than one file (Tarjan): each is one import circle. */
export function importCircles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (e.kind !== 'file') continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) circles.push(component.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return circles;
}
