// Checks the history: every record's chain hash, the links between records, the head, and every artifact's sha256.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainHashOf, GENESIS_HASH, type HistoryRecord, sha256 } from './record.ts';
import { type SignatureProblem, verifySignatures } from './signing.ts';
import { ARTIFACTS_DIR, filesUnder, HEAD_FILE, RECORDS_DIR, readHead, recordFiles } from './store.ts';

export type ProblemKind =
  | 'record-unreadable'
  | 'record-edited'
  | 'record-missing'
  | 'head-mismatch'
  | 'artifact-missing'
  | 'artifact-tampered'
  | 'artifact-unexpected'
  | SignatureProblem['kind'];

export interface VerifyProblem {
  kind: ProblemKind;
  /** The file at fault, relative to the history directory. */
  file: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  artifacts: number;
  head: { seq: number; chainHash: string } | null;
  problems: VerifyProblem[];
}

function checkArtifacts(historyDir: string, record: HistoryRecord, problems: VerifyProblem[]): void {
  const base = `${ARTIFACTS_DIR}/${record.run.runId}`;
  const listed = new Set<string>();
  for (const artifact of record.artifacts) {
    const file = `${base}/${artifact.path}`;
    listed.add(artifact.path);
    const path = join(historyDir, file);
    if (!existsSync(path)) {
      problems.push({
        kind: 'artifact-missing',
        file,
        message: `${file} was deleted (run ${record.run.runId})`,
      });
      continue;
    }
    const actual = sha256(readFileSync(path));
    if (actual !== artifact.sha256) {
      problems.push({
        kind: 'artifact-tampered',
        file,
        message: `${file} was changed after ingest: sha256 ${actual} but record ${record.seq} says ${artifact.sha256}`,
      });
    }
  }
  for (const extra of filesUnder(join(historyDir, base))) {
    if (!listed.has(extra)) {
      problems.push({
        kind: 'artifact-unexpected',
        file: `${base}/${extra}`,
        message: `${base}/${extra} is not in record ${record.seq}: added after ingest`,
      });
    }
  }
}

function artifactRunDirs(historyDir: string): string[] {
  const dir = join(historyDir, ARTIFACTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * Verifies the whole history; `expectedHead` (e.g. the chain hash a previous CI run published) catches a cut tail,
 * `publicKey` (PEM, or a PEM file) a re-chained one: every record must be signed by it (signing.ts).
 */
export function verifyHistory(historyDir: string, expectedHead?: string, publicKey?: string): VerifyReport {
  const problems: VerifyProblem[] = [];
  let previous: HistoryRecord | undefined;
  let records = 0;
  let artifacts = 0;
  const readableRunIds: string[] = [];
  for (const name of recordFiles(historyDir)) {
    const file = `${RECORDS_DIR}/${name}`;
    let record: HistoryRecord;
    try {
      record = JSON.parse(readFileSync(join(historyDir, file), 'utf8')) as HistoryRecord;
    } catch (error) {
      problems.push({ kind: 'record-unreadable', file, message: `${file} is not JSON: ${String(error)}` });
      continue;
    }
    records += 1;
    readableRunIds.push(record.run?.runId);
    artifacts += record.artifacts?.length ?? 0;
    const expectedSeq = (previous?.seq ?? 0) + 1;
    const expectedPrev = previous?.chainHash ?? GENESIS_HASH;
    if (record.seq !== expectedSeq || record.prevChainHash !== expectedPrev) {
      problems.push({
        kind: 'record-missing',
        file,
        message: `${file} does not follow ${previous ? `record ${previous.seq}` : 'the start of the chain'}: a record before it was deleted or replaced (expected seq ${expectedSeq}, got ${record.seq})`,
      });
    }
    if (chainHashOf(record) !== record.chainHash) {
      problems.push({
        kind: 'record-edited',
        file,
        message: `${file} was edited after ingest: its chain hash does not match its content`,
      });
    }
    checkArtifacts(historyDir, record, problems);
    previous = record;
  }
  const referenced = new Set(readableRunIds);
  for (const dir of artifactRunDirs(historyDir)) {
    if (!referenced.has(dir)) {
      problems.push({
        kind: 'artifact-unexpected',
        file: `${ARTIFACTS_DIR}/${dir}`,
        message: `${ARTIFACTS_DIR}/${dir} belongs to no record: its record was deleted`,
      });
    }
  }
  const head = readHead(historyDir) ?? null;
  const last = previous ? { seq: previous.seq, chainHash: previous.chainHash } : null;
  if (head && (!last || head.seq !== last.seq || head.chainHash !== last.chainHash)) {
    problems.push({
      kind: 'head-mismatch',
      file: HEAD_FILE,
      message: `${HEAD_FILE} names record ${head.seq} (${head.chainHash.slice(0, 12)}…) but the last record is ${last ? `${last.seq} (${last.chainHash.slice(0, 12)}…)` : 'none'}: records were deleted from the end`,
    });
  }
  if (expectedHead && last?.chainHash !== expectedHead) {
    problems.push({
      kind: 'head-mismatch',
      file: HEAD_FILE,
      message: `the chain ends at ${last?.chainHash ?? 'nothing'}, not at the expected head ${expectedHead}`,
    });
  }
  if (publicKey) problems.push(...verifySignatures(historyDir, publicKey));
  return { ok: problems.length === 0, records, artifacts, head: last, problems };
}
