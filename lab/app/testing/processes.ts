// Runs an app entry (api.ts, worker.ts, frontend.ts) as a real child process, as the kubelet does.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../net/ports.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface AppProcess {
  name: string;
  port: number;
  child: ChildProcess;
  /** Spawn → "ready on" log line, in ms. */
  readyMs: number;
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves the exit code. */
  stop(): Promise<number | null>;
}

export async function startAppProcess(
  entry: 'api' | 'worker' | 'frontend',
  env: Record<string, string>,
): Promise<AppProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', `lab/app/${entry}.ts`], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready within 30 s:\n${log}`)), 30_000);
    const onData = () => {
      if (/ ready on /.test(log)) {
        clearTimeout(timer);
        // Stop re-scanning: the log keeps growing with every request served.
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before ready:\n${log}`));
    });
  });
  const readyMs = Math.round(performance.now() - started);
  return {
    name: entry,
    port,
    child,
    readyMs,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}
