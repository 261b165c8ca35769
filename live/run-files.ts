// What the live page needs that no event carries, read from the run directory: the pending undos and irreversible
// steps (journal.json, rewritten atomically) and the canary ledger (attachments/<name>-ledger.csv, written whole
// before the recover phase ends).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOURNAL_FILE, type JournalData } from '../core/journal.ts';
import type { LedgerSnapshot, UndoSnapshot } from './view-state.ts';

/** The undos and irreversible steps of journal.json (never their undoData); undefined until it exists. */
export async function readUndos(runDir: string): Promise<UndoSnapshot | undefined> {
  let journal: JournalData;
  try {
    journal = JSON.parse(await readFile(join(runDir, JOURNAL_FILE), 'utf8')) as JournalData;
  } catch {
    return undefined;
  }
  return {
    undos: journal.undos.map((u) => ({
      id: u.id,
      kind: u.kind,
      stepId: u.stepId,
      title: u.title,
      status: u.status,
    })),
    irreversible: journal.steps.flatMap((s) =>
      s.irreversible ? [{ stepId: s.id, title: s.title, ...s.irreversible }] : [],
    ),
  };
}

const LEDGER_SUFFIX = '-ledger.csv';
const LEDGER_HEADER = 'seq,sent_at_ms,acked_at_ms,sent_at_wall,acked_at_wall,acked,survived';

/** The canary ledger the run attached (probes/canary.ts ledgerCsv), if any. */
export async function readLedger(runDir: string): Promise<LedgerSnapshot | undefined> {
  const dir = join(runDir, 'attachments');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(LEDGER_SUFFIX)).sort();
  } catch {
    return undefined;
  }
  const name = names[0];
  if (!name) return undefined;
  return parseLedgerCsv(name.slice(0, -LEDGER_SUFFIX.length), await readFile(join(dir, name), 'utf8'));
}

export function parseLedgerCsv(name: string, csv: string): LedgerSnapshot | undefined {
  const [header, ...rows] = csv.trimEnd().split('\n');
  if (header !== LEDGER_HEADER) return undefined;
  const writes = rows.map((row) => {
    const [seq, sentAt, , , , acked, survived] = row.split(',');
    return {
      seq: Number(seq),
      sentAtMs: Number(sentAt),
      acked: acked === 'true',
      survived: survived === 'true',
    };
  });
  return { name, writes };
}
