// Benchmark: throughput of the built-in load generator against autocannon, same endpoint, same run.
// Run: pnpm exec tsx bench/probes-load.ts   (prints JSON; target: ratio >= 0.8)
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { LoadGenerator } from '../probes/load-generator.ts';
import { type ProbePlatform, startProbePlatform } from '../probes/testing/platform.ts';

export interface LoadBench {
  url: string;
  connections: number;
  seconds: number;
  builtinRps: number[];
  autocannonRps: number[];
  /** mean built-in / mean autocannon. */
  ratio: number;
  target: string;
  met: boolean;
}

async function builtin(url: string, connections: number, seconds: number): Promise<number> {
  const generator = new LoadGenerator({
    url,
    rate: 'max',
    concurrency: connections,
    durationMs: seconds * 1000,
  });
  generator.start();
  await generator.finished();
  const s = await generator.stop();
  return (s.ok / s.durationMs) * 1000;
}

async function reference(url: string, connections: number, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections, duration: seconds });
  return result.requests.total / seconds;
}

export async function benchLoadGenerator(
  options: { seconds?: number; connections?: number; rounds?: number } = {},
): Promise<LoadBench> {
  const seconds = options.seconds ?? 5;
  const connections = options.connections ?? 16;
  const platform: ProbePlatform = await startProbePlatform(['api']);
  // The lab endpoint: the public URL (load balancer → luneo-api), a route that does not touch the database.
  const url = `${platform.publicUrl}/version`;
  const builtinRps: number[] = [];
  const autocannonRps: number[] = [];
  try {
    await builtin(url, connections, 1); // warm-up: connections, JIT
    for (let round = 0; round < (options.rounds ?? 2); round++) {
      autocannonRps.push(await reference(url, connections, seconds));
      builtinRps.push(await builtin(url, connections, seconds));
    }
  } finally {
    await platform.close();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = Math.round((mean(builtinRps) / mean(autocannonRps)) * 100) / 100;
  const r = (xs: number[]) => xs.map((x) => Math.round(x));
  return {
    url,
    connections,
    seconds,
    builtinRps: r(builtinRps),
    autocannonRps: r(autocannonRps),
    ratio,
    target: 'built-in / autocannon >= 0.8',
    met: ratio >= 0.8,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchLoadGenerator(), null, 2));
}
