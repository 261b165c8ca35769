// pnpm bench [name…]: runs every bench/*.bench.ts (or those whose file name contains a given name) one after
// another, prints a table and writes out/bench.json (the files run now replace their own earlier entries; the
// others' are kept, so `pnpm bench lab-boot` does not erase the rest). Exit 1 when a benchmark throws or misses
// its target.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchModule, type BenchResult, judge } from './types.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const OUT_FILE = fileURLToPath(new URL('../out/bench.json', import.meta.url));

interface FileOutcome {
  file: string;
  /** When this file ran (entries kept from earlier runs keep theirs). */
  ranAt?: string;
  durationMs: number;
  results: (BenchResult & { ok?: boolean })[];
  error?: string;
}

async function benchFiles(filters: string[]): Promise<string[]> {
  const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith('.bench.ts')).sort();
  return filters.length ? files.filter((f) => filters.some((name) => f.includes(name))) : files;
}

async function runOne(file: string): Promise<FileOutcome> {
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as Partial<BenchModule>;
    if (typeof mod.default !== 'function')
      throw new Error(`bench/${file} must export default async function (): Promise<BenchResult[]>`);
    const results = (await mod.default()).map((r) => ({ ...r, ok: judge(r) }));
    return { file, durationMs: Math.round(performance.now() - started), results };
  } catch (error) {
    const message = (error as Error).stack ?? String(error);
    return { file, durationMs: Math.round(performance.now() - started), results: [], error: message };
  }
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function table(outcomes: FileOutcome[]): string {
  const rows = [['bench', 'result', 'value', 'target', 'verdict']];
  for (const o of outcomes) {
    if (o.error) rows.push([o.file, '(threw)', '', '', `ERROR ${o.error.split('\n')[0]}`]);
    for (const r of o.results) {
      const target =
        r.target === undefined
          ? ''
          : `${r.better === 'higher' ? '>=' : '<='} ${formatValue(r.target)} ${r.unit}`;
      const verdict = r.ok === undefined ? '' : r.ok ? 'ok' : 'MISS';
      rows.push([o.file, r.name, `${formatValue(r.value)} ${r.unit}`, target, verdict]);
    }
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The entries of out/bench.json as the last run left them (none if absent or unreadable). */
async function earlierOutcomes(): Promise<FileOutcome[]> {
  try {
    const earlier = JSON.parse(await readFile(OUT_FILE, 'utf8')) as {
      ranAt?: string;
      benches?: FileOutcome[];
    };
    return (earlier.benches ?? []).map((o) => ({ ...o, ranAt: o.ranAt ?? earlier.ranAt }));
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const files = await benchFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.error(`bench: no bench/*.bench.ts matches ${process.argv.slice(2).join(', ') || '(any)'}`);
    process.exit(2);
  }
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    console.log(`bench: running ${file}`);
    const outcome = { ...(await runOne(file)), ranAt: new Date().toISOString() };
    if (outcome.error) console.error(`bench: ${file} threw: ${outcome.error}`);
    outcomes.push(outcome);
  }
  console.log(`\n${table(outcomes)}`);
  await mkdir(join(OUT_FILE, '..'), { recursive: true });
  const ranNow = new Set(outcomes.map((o) => o.file));
  const kept = (await earlierOutcomes()).filter((o) => !ranNow.has(o.file));
  const report = {
    ranAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    benches: [...kept, ...outcomes].sort((a, b) => a.file.localeCompare(b.file)),
  };
  await writeFile(OUT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nbench: wrote ${OUT_FILE}`);
  const failed = outcomes.some((o) => o.error || o.results.some((r) => r.ok === false));
  // Benchmarks may leave handles (servers, pools) behind: exit explicitly.
  process.exit(failed ? 1 : 0);
}

void main();
