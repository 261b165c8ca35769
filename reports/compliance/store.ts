// The history store CI keeps between runs: append-only records, each run's artifacts, and the chain head.
//   <history>/records/000001-<runId>.json   one per ingested run, never rewritten
//   <history>/artifacts/<runId>/...         the run's files, as hashed in its record
//   <history>/head.json                     { seq, chainHash } of the last record

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { DrillError } from '../../core/errors.ts';
import { isExecutedDrill, runOutcome } from '../../core/runner/outcome.ts';
import { RESULT_FILE } from '../../core/runner/report.ts';
import { type RunResult, runResultSchema } from '../../core/runner/result-schema.ts';
import type { SignOff } from '../../core/sign-off.ts';
import {
  type ArtifactHash,
  chainHashOf,
  GENESIS_HASH,
  type HistoryRecord,
  RECORD_VERSION,
  sha256,
  summarize,
} from './record.ts';

export const RECORDS_DIR = 'records';
export const ARTIFACTS_DIR = 'artifacts';
export const HEAD_FILE = 'head.json';
/** Files of a run dir that are process plumbing, not evidence. */
const NOT_ARTIFACTS = new Set(['worker.pid', 'abort.requested']);

export interface Head {
  seq: number;
  chainHash: string;
}

const recordFileName = (seq: number, runId: string) => `${String(seq).padStart(6, '0')}-${runId}.json`;

/** Every file under `dir`, as sorted posix paths relative to it. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export function recordFiles(historyDir: string): string[] {
  return filesUnder(join(historyDir, RECORDS_DIR)).filter((f) => f.endsWith('.json'));
}

/** The records in chain order (file names start with the sequence number). */
export function readRecords(historyDir: string): HistoryRecord[] {
  return recordFiles(historyDir).map(
    (f) => JSON.parse(readFileSync(join(historyDir, RECORDS_DIR, f), 'utf8')) as HistoryRecord,
  );
}

export function readHead(historyDir: string): Head | undefined {
  const file = join(historyDir, HEAD_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Head) : undefined;
}

function readResult(runDir: string): RunResult {
  const file = join(runDir, RESULT_FILE);
  if (!existsSync(file)) {
    throw new DrillError(
      'E_NOT_FOUND',
      `${file} does not exist: ingest a finished run directory (out/runs/<run-id>)`,
    );
  }
  const parsed = runResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new DrillError(
      'E_VALIDATION',
      `${file} is not a valid result.json: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

export interface IngestOptions {
  historyDir: string;
  runDir: string;
  /** Used only when the run recorded no signOff (runs from before --approver existed). */
  signOff?: SignOff;
  now?: Date;
}

/**
 * Appends one run to the history: copies its artifacts under artifacts/<runId>/, hashes each, and
 * writes a record chained to the previous one. Refuses dry and refused runs and runs killed before the fault (no drill took place) and a run already ingested.
 */
export function ingestRun(opts: IngestOptions): HistoryRecord {
  const result = readResult(opts.runDir);
  if (!isExecutedDrill(result)) {
    const what = {
      planned: 'a dry run',
      refused: 'a refused run (a gate stopped it before the fault)',
      interrupted: 'a run killed before its fault was injected',
    }[runOutcome(result) as 'planned' | 'refused' | 'interrupted'];
    throw new DrillError(
      'E_USAGE',
      `${result.runId} is ${what}: nothing was executed, so it is no evidence; ingest a real run`,
    );
  }
  const records = readRecords(opts.historyDir);
  if (records.some((r) => r.run.runId === result.runId)) {
    throw new DrillError('E_USAGE', `${result.runId} is already in the history at ${opts.historyDir}`);
  }
  const last = records.at(-1);
  const artifactDir = join(opts.historyDir, ARTIFACTS_DIR, result.runId);
  const artifacts: ArtifactHash[] = [];
  for (const path of filesUnder(opts.runDir)) {
    if (NOT_ARTIFACTS.has(path)) continue;
    const data = readFileSync(join(opts.runDir, path));
    const target = join(artifactDir, path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(opts.runDir, path), target);
    artifacts.push({ path, sha256: sha256(data), bytes: data.length });
  }
  const seq = (last?.seq ?? 0) + 1;
  const body: Omit<HistoryRecord, 'chainHash'> = {
    version: RECORD_VERSION,
    seq,
    ingestedAt: (opts.now ?? new Date()).toISOString(),
    run: summarize(result, opts.signOff),
    artifacts,
    prevChainHash: last?.chainHash ?? GENESIS_HASH,
  };
  const record: HistoryRecord = { ...body, chainHash: chainHashOf(body) };
  mkdirSync(join(opts.historyDir, RECORDS_DIR), { recursive: true });
  // 'wx': a record file is written once and never overwritten.
  writeFileSync(
    join(opts.historyDir, RECORDS_DIR, recordFileName(seq, result.runId)),
    `${JSON.stringify(record, null, 2)}\n`,
    { flag: 'wx' },
  );
  writeFileSync(
    join(opts.historyDir, HEAD_FILE),
    `${JSON.stringify({ seq, chainHash: record.chainHash }, null, 2)}\n`,
  );
  return record;
}
