// The live view as the command line starts it: beside every drill (`pnpm drill <scenario>`), and for a finished
// run (`pnpm drill show <run-id> --serve | --open`).
import { spawn } from 'node:child_process';
import { errorMessage } from '../core/errors.ts';
import { type LiveViewServer, startLiveView } from './server.ts';

type Write = (line: string) => void;
const toStdout: Write = (line) => process.stdout.write(`${line}\n`);

/**
 * Serves the page of the drill about to run in `runDir`, and prints its URL. A live view that cannot start never
 * stops the drill: it says why and the drill runs without it.
 */
export async function serveLiveRun(
  runDir: string,
  write: Write = toStdout,
): Promise<LiveViewServer | undefined> {
  try {
    const view = await startLiveView({ runDir, mode: 'live' });
    write(`live view: ${view.url} (this machine only; the link can halt the drill: share it with care)`);
    return view;
  } catch (error) {
    write(`live view: not started: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Until Ctrl-C (SIGINT) or SIGTERM. */
const untilStopped = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

/**
 * Serves a finished run's page until `until` settles (default: Ctrl-C); `open` also hands the URL to the desktop's
 * browser when there is one.
 */
export async function serveFinishedRun(
  runDir: string,
  opts: { open?: boolean; until?: Promise<void>; env?: NodeJS.ProcessEnv },
  write: Write = toStdout,
): Promise<void> {
  const view = await startLiveView({ runDir, mode: 'replay' });
  write(`live view of ${runDir}: ${view.url} (Ctrl-C to stop)`);
  if (opts.open) write(openInBrowser(view.url, opts.env));
  await (opts.until ?? untilStopped());
  await view.close();
}

/** xdg-open when a display is there; otherwise says to open the URL by hand. */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return 'no display here: open the URL above in a browser';
  try {
    const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
    return 'opening it in your browser (xdg-open)';
  } catch (error) {
    return `could not open a browser (${errorMessage(error)}): open the URL above`;
  }
}
