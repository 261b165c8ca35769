// Finds and launches the Chromium the smoke test drives; one browser is shared by every sample of a run.
import { accessSync, constants, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const INSTALL_HINT =
  'install one: apt-get install -y chromium (or set DRILL_BROWSER to a Chromium executable)';

export interface BrowserSearch {
  env?: Record<string, string | undefined>;
  /** Whether a path is an executable file (injectable for tests). */
  isExecutable?: (path: string) => boolean;
  /** Lists a directory's entries, [] when absent. */
  list?: (dir: string) => string[];
}

export type BrowserFound = { path: string; looked: string[] } | { path: null; looked: string[] };

const SYSTEM = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** DRILL_BROWSER, then system Chromium/Chrome, then browsers Playwright installed (newest first). */
export function findBrowser(search: BrowserSearch = {}): BrowserFound {
  const env = search.env ?? process.env;
  const isExecutable = search.isExecutable ?? executable;
  const list = search.list ?? entries;
  const looked: string[] = [];
  if (env.DRILL_BROWSER) {
    looked.push(`DRILL_BROWSER=${env.DRILL_BROWSER}`);
    // An explicit choice that does not exist is an error to show, not a reason to pick another browser.
    return isExecutable(env.DRILL_BROWSER) ? { path: env.DRILL_BROWSER, looked } : { path: null, looked };
  }
  for (const path of SYSTEM) {
    looked.push(path);
    if (isExecutable(path)) return { path, looked };
  }
  const cache = env.PLAYWRIGHT_BROWSERS_PATH || join(env.HOME || homedir(), '.cache', 'ms-playwright');
  looked.push(`${cache}/chromium-*`);
  const builds = list(cache)
    .filter((d) => /^chromium-\d+$/.test(d))
    .sort((a, b) => Number(b.slice(9)) - Number(a.slice(9)));
  for (const build of builds) {
    for (const sub of ['chrome-linux64/chrome', 'chrome-linux/chrome']) {
      const path = join(cache, build, sub);
      if (isExecutable(path)) return { path, looked };
    }
  }
  return { path: null, looked };
}

/** Launch flags for a closed network (see reference/toolchain.md); --no-sandbox only when running as root. */
export function launchArgs(isRoot = process.getuid?.() === 0): string[] {
  return [
    ...(isRoot ? ['--no-sandbox'] : []),
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
}

let shared: { path: string; browser: Promise<Browser> } | undefined;

/** The shared browser for `path`, launched on first use and again if it crashed or was closed. */
export async function sharedBrowser(path: string): Promise<Browser> {
  if (shared && shared.path === path) {
    const browser = await shared.browser.catch(() => undefined);
    if (browser?.isConnected()) return browser;
  }
  // Playwright's own signal handlers would exit(130) on Ctrl-C while the browser is open, skipping the
  // drill's rollback: the drill handles signals and closes the browser itself.
  const launching = chromium.launch({
    executablePath: path,
    args: launchArgs(),
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  shared = { path, browser: launching };
  launching.catch(() => {
    if (shared?.browser === launching) shared = undefined;
  });
  return launching;
}

/** Closes the shared browser (end of a run or test file). Safe to call when none was launched. */
export async function closeSmokeBrowser(): Promise<void> {
  const current = shared;
  shared = undefined;
  const browser = await current?.browser.catch(() => undefined);
  await browser?.close().catch(() => {});
}
