// Benchmark: throughput of the built-in load generator against autocannon, same endpoint, same run.
// Run: pnpm exec tsx bench/probes-load.ts   (prints JSON; target: ratio >= 0.8)
//
// Same conditions for both tools: the same lab URL, `connections` keep-alive connections with one
// request in flight on each (no pipelining), the same duration per round, one tool at a time in this
// process, a warm-up run of each, and short rounds in ABBA order. Both count whole responses per second
// of their own measured window. The machine is shared and its load swings several-fold within a run,
// so the ratio compares each round's two runs, made back to back, and averages those ratios
// (geometrically): a pooled total would be decided by whichever rounds met the quietest moment.
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { LoadGenerator } from '../probes/load-generator.ts';
import { type ProbePlatform, startProbePlatform } from '../probes/testing/platform.ts';

export interface LoadBench {
  url: string;
  connections: number;
  secondsPerRound: number;
  rounds: number;
  builtinRps: number[];
  autocannonRps: number[];
  /** CPU of this process (tool + in-process load balancer) per response, µs. */
  builtinCpuUsPerResponse: number;
  autocannonCpuUsPerResponse: number;
  /** Requests without a 2xx/3xx response, per tool (all of them must be 0 for a fair count). */
  builtinErrors: number;
  autocannonErrors: number;
  /** Geometric mean over the rounds of (built-in / autocannon responses per second). */
  ratio: number;
  /** Responses per second over all rounds, built-in / autocannon (for reference: sensitive to load swings). */
  pooledRatio: number;
  conditions: string;
  target: string;
  met: boolean;
}

interface Round {
  responses: number;
  seconds: number;
  errors: number;
  cpuUs: number;
}

async function measured(run: () => Promise<Omit<Round, 'cpuUs'>>): Promise<Round> {
  const cpu = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return { ...result, cpuUs: used.user + used.system };
}

function builtin(url: string, connections: number, seconds: number): Promise<Round> {
  return measured(async () => {
    const generator = new LoadGenerator({
      url,
      rate: 'max',
      concurrency: connections,
      durationMs: seconds * 1000,
    });
    generator.start();
    await generator.finished();
    const s = await generator.stop();
    const responses = Object.entries(s.statusHistogram)
      .filter(([key]) => /^\d+$/.test(key))
      .reduce((sum, [, n]) => sum + n, 0);
    return { responses, seconds: s.durationMs / 1000, errors: s.errors };
  });
}

function reference(url: string, connections: number, seconds: number): Promise<Round> {
  return measured(async () => {
    const r = await autocannon({ url, connections, duration: seconds });
    // autocannon's own window (start to its last 1 s sample), not the nominal duration.
    return { responses: r.requests.total, seconds: r.duration, errors: r.errors + r.timeouts + r.non2xx };
  });
}

/**
 * The harness keeps every log line of the pod and re-scans the whole log on each chunk
 * (lab/app/testing/processes.ts): at thousands of logged requests per second that costs this process
 * more with every request served, taxing whichever tool runs later. Drain the pod's log instead.
 */
function drainPodLog(platform: ProbePlatform): void {
  const stdout = platform.pods.api?.child.stdout;
  stdout?.removeAllListeners('data');
  stdout?.on('data', () => {});
}

export async function benchLoadGenerator(
  options: { seconds?: number; connections?: number; rounds?: number } = {},
): Promise<LoadBench> {
  const seconds = options.seconds ?? 1;
  const connections = options.connections ?? 16;
  const rounds = options.rounds ?? 12;
  const platform: ProbePlatform = await startProbePlatform(['api']);
  drainPodLog(platform);
  // The lab endpoint: the public URL (load balancer → luneo-api), a route that does not touch the database.
  const url = `${platform.publicUrl}/version`;
  const ours: Round[] = [];
  const theirs: Round[] = [];
  try {
    // Warm-up: connections, JIT, for both.
    await reference(url, connections, 1);
    await builtin(url, connections, 1);
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        theirs.push(await reference(url, connections, seconds));
        ours.push(await builtin(url, connections, seconds));
      } else {
        ours.push(await builtin(url, connections, seconds));
        theirs.push(await reference(url, connections, seconds));
      }
    }
  } finally {
    await platform.close();
  }
  const sum = (rs: Round[], key: keyof Round) => rs.reduce((a, r) => a + r[key], 0);
  const rate = (rs: Round[]) => sum(rs, 'responses') / sum(rs, 'seconds');
  const perRound = (rs: Round[]) => rs.map((r) => r.responses / r.seconds);
  const theirRates = perRound(theirs);
  const logRatios = perRound(ours).map((x, i) => Math.log(x / theirRates[i]!));
  const ratio = Math.round(Math.exp(logRatios.reduce((a, b) => a + b, 0) / rounds) * 100) / 100;
  const pooledRatio = Math.round((rate(ours) / rate(theirs)) * 100) / 100;
  const cpuPerResponse = (rs: Round[]) => Math.round(sum(rs, 'cpuUs') / sum(rs, 'responses'));
  const builtinErrors = sum(ours, 'errors');
  const autocannonErrors = sum(theirs, 'errors');
  return {
    url,
    connections,
    secondsPerRound: seconds,
    rounds,
    builtinRps: perRound(ours).map(Math.round),
    autocannonRps: theirRates.map(Math.round),
    builtinCpuUsPerResponse: cpuPerResponse(ours),
    autocannonCpuUsPerResponse: cpuPerResponse(theirs),
    builtinErrors,
    autocannonErrors,
    ratio,
    pooledRatio,
    conditions:
      `${connections} keep-alive connections each, 1 request in flight per connection, ` +
      `${rounds} rounds of ${seconds} s per tool in ABBA order after a 1 s warm-up each, one tool at a time; ` +
      'ratio = geometric mean of the per-round ratios',
    target: 'built-in / autocannon >= 0.8',
    met: ratio >= 0.8 && builtinErrors === 0 && autocannonErrors === 0,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchLoadGenerator(), null, 2));
}
