// The page's three files: index.html and style.css as written, app.js bundled once per process from page/app.ts
// (and the pure view-state it shares with the tests) by esbuild, the compiler tsx runs on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

type Esbuild = {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
};

export interface PageAssets {
  html: string;
  css: string;
  script: string;
}

const file = (name: string) => fileURLToPath(new URL(`./page/${name}`, import.meta.url));

let built: Promise<PageAssets> | undefined;

export function pageAssets(): Promise<PageAssets> {
  built ??= bundleScript().then((script) => ({
    html: readFileSync(file('index.html'), 'utf8'),
    css: readFileSync(file('style.css'), 'utf8'),
    script,
  }));
  built.catch(() => {
    built = undefined; // a later view tries again
  });
  return built;
}

async function bundleScript(): Promise<string> {
  const esbuild = createRequire(import.meta.resolve('tsx'))('esbuild') as Esbuild;
  const result = await esbuild.build({
    entryPoints: [file('app.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles?.[0]?.text;
  if (!text) throw new Error('esbuild wrote no bundle for live/page/app.ts');
  return text;
}
