// k6Load(): the drill's background load with k6 when it is installed (summary folded into the result),
// otherwise the built-in undici generator, and the summary says which one ran.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DrillError } from '../core/errors.ts';
import type { BackgroundActivity, JsonValue } from '../core/model.ts';
import { type LoadOptions, loadSettings } from './load.ts';
import { LoadGenerator } from './load-generator.ts';
import { resolveOption, safeText } from './resolve.ts';

export const K6_SCRIPT = fileURLToPath(new URL('./load.k6.ts', import.meta.url));
export const NO_K6_NOTE =
  'k6 not found on PATH (install it from https://k6.io); the built-in undici load generator ran instead';

export interface K6Options<R> extends LoadOptions<R> {
  /** Path to k6 (default: found on PATH). */
  k6Path?: string;
  /** Default probes/load.k6.ts. */
  script?: string;
}

/** The first executable `name` on PATH, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

interface K6Run {
  child: ChildProcess;
  dir: string;
  exited: Promise<number | null>;
  output: () => string;
}

type Running = { kind: 'k6'; run: K6Run } | { kind: 'builtin'; generator: LoadGenerator };

export function k6Load<R = unknown>(options: K6Options<R>): BackgroundActivity<R> {
  const name = options.name ?? 'load';
  const key = `probes:k6:${name}`;
  return {
    name,
    async start(ctx) {
      const settings = loadSettings(options, await resolveOption(options.url, ctx));
      const k6 = options.k6Path ?? findOnPath('k6');
      if (!k6) {
        ctx.log.info(`load "${name}": ${NO_K6_NOTE}`);
        const generator = new LoadGenerator(settings);
        generator.start();
        ctx.state.set(key, { kind: 'builtin', generator } satisfies Running);
        return;
      }
      const dir = await mkdtemp(join(tmpdir(), 'drill-k6-'));
      const env = {
        TARGET_URL: settings.url,
        RATE: String(settings.rate),
        VUS: String(settings.concurrency),
        DURATION: `${Math.round((settings.durationMs ?? 7_200_000) / 1000)}s`,
        TIMEOUT: `${settings.timeoutMs}ms`,
      };
      const args = ['run', '--quiet', '--no-color', '--summary-export', join(dir, 'summary.json')];
      for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
      args.push(options.script ?? K6_SCRIPT);
      const child = spawn(k6, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8_000)));
      child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8_000)));
      const exited = new Promise<number | null>((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.once('error', () => resolve(null));
      });
      ctx.state.set(key, { kind: 'k6', run: { child, dir, exited, output: () => output } } satisfies Running);
      ctx.log.info(`load "${name}": k6 ${safeText(settings.url)} at ${settings.rate} req/s`);
    },
    async stop(ctx) {
      const running = ctx.state.get(key) as Running | undefined;
      if (!running) throw new DrillError('E_INTERNAL', `load "${name}" was not started in run ${ctx.runId}`);
      const summary =
        running.kind === 'builtin'
          ? { ...(await running.generator.stop()), note: NO_K6_NOTE }
          : await stopK6(running.run);
      await ctx.attach(`${name}-summary.json`, 'application/json', JSON.stringify(summary, null, 2));
      return summary;
    },
  };
}

/** SIGINT is k6's graceful stop: it ends the test and still writes --summary-export. */
async function stopK6(run: K6Run): Promise<JsonValue> {
  if (run.child.exitCode === null) run.child.kill('SIGINT');
  const kill = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
  const code = await run.exited;
  clearTimeout(kill);
  try {
    const raw = JSON.parse(await readFile(join(run.dir, 'summary.json'), 'utf8')) as K6SummaryExport;
    return { ...foldK6Summary(raw), exitCode: code };
  } catch (error) {
    throw new DrillError(
      'E_PROBE_FAILED',
      `k6 exited with ${code} and wrote no readable summary (${(error as Error).message}); its last output: ${safeText(run.output().trim().slice(-500))}`,
    );
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
}

/** The shape of `k6 run --summary-export` we read. */
export interface K6SummaryExport {
  metrics: Record<string, Record<string, number | Record<string, unknown>>>;
}

/** k6's exported summary in the built-in generator's terms (requests, rate, error rate, p50/p95/p99). */
export function foldK6Summary(raw: K6SummaryExport): Record<string, JsonValue> {
  const metric = (name: string, field: string): number | null => {
    const value = raw.metrics[name]?.[field];
    return typeof value === 'number' ? value : null;
  };
  const requests = metric('http_reqs', 'count') ?? 0;
  const failedRate = metric('http_req_failed', 'value') ?? metric('http_req_failed', 'rate') ?? 0;
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    engine: 'k6',
    requests,
    errors: Math.round(requests * failedRate),
    errorRate: failedRate,
    achievedRate: round(metric('http_reqs', 'rate')),
    latencyMs: {
      p50: round(metric('http_req_duration', 'med')),
      p95: round(metric('http_req_duration', 'p(95)')),
      p99: round(metric('http_req_duration', 'p(99)')),
      max: round(metric('http_req_duration', 'max')),
    },
    checksPassed: metric('checks', 'passes'),
    checksFailed: metric('checks', 'fails'),
  };
}
