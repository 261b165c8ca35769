// `node --import tsx reports/compliance/cli.ts ingest|verify|build`: the compliance history and its report.
// Exit codes: 0 ok, 1 the history fails verification, 2 bad input.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { reportCliError } from '../../core/cli/report-error.ts';
import { DrillError } from '../../core/errors.ts';
import { RESULT_FILE } from '../../core/runner/report.ts';
import { parseParticipants, signOffFromEnv } from '../../core/sign-off.ts';
import { buildComplianceReport } from './build.ts';
import { historyDirOf } from './report-builder.ts';
import { generateSigningKey, signHistory } from './signing.ts';
import { ingestRun, readRecords } from './store.ts';
import { verifyHistory } from './verify.ts';

const out = (text: string) => process.stdout.write(`${text}\n`);

function parseNow(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const now = new Date(text);
  if (Number.isNaN(now.getTime()))
    throw new DrillError(
      'E_USAGE',
      `--now ${JSON.stringify(text)} is not an ISO date like 2026-11-26T00:00:00Z`,
    );
  return now;
}

/** Finished run dirs under a runs/ folder that the history does not hold yet (dry runs skipped). */
function newRunDirs(runsDir: string, historyDir: string): string[] {
  if (!existsSync(runsDir))
    throw new DrillError('E_NOT_FOUND', `${runsDir} does not exist: pass the runs folder, e.g. out/runs`);
  const known = new Set(readRecords(historyDir).map((r) => r.run.runId));
  return readdirSync(runsDir)
    .sort()
    .filter((id) => !known.has(id) && existsSync(join(runsDir, id, RESULT_FILE)))
    .map((id) => join(runsDir, id));
}

/** A missing or empty history verifies nothing: a typo in the path must not read as a clean audit. */
export function emptyHistoryProblem(dir: string, records: number, allowEmpty: boolean): string | undefined {
  if (allowEmpty || records > 0) return undefined;
  const why = existsSync(dir) ? 'holds no record' : 'does not exist';
  return `NOT VERIFIED: the compliance history ${dir} ${why}. Check --history / $DRILL_COMPLIANCE_HISTORY; pass --allow-empty when an empty history is expected (before the first drill).`;
}

/** `exit` receives the command's exit code (kept off process.exitCode so callers and tests own it). */
function program(exit: (code: number) => void): Command {
  const cli = new Command('compliance').exitOverride().showSuggestionAfterError(true);
  const history = (opts: { history?: string }) => resolve(opts.history ?? historyDirOf('out'));
  cli
    .command('ingest')
    .description('append finished runs to the history (artifacts copied and hashed, record chained)')
    .argument('[run-dirs...]', 'run directories (out/runs/<run-id>)')
    .option(
      '--history <dir>',
      'history directory (default: $DRILL_COMPLIANCE_HISTORY, else out/compliance-history)',
    )
    .option(
      '--from <runs-dir>',
      'also every finished run in this folder not yet in the history (dry runs skipped)',
    )
    .option(
      '--signing-key <pem-or-file>',
      'sign each new record with this ed25519 private key (default: $DRILL_COMPLIANCE_SIGNING_KEY)',
      process.env.DRILL_COMPLIANCE_SIGNING_KEY,
    )
    .option('--approver <name>', 'approver, for runs that recorded none (default: $DRILL_APPROVER)')
    .option(
      '--participants <names>',
      'comma-separated participants, for runs that recorded none (default: $DRILL_PARTICIPANTS)',
    )
    .action(
      (
        runDirs: string[],
        opts: {
          history?: string;
          from?: string;
          approver?: string;
          participants?: string;
          signingKey?: string;
        },
      ) => {
        const historyDir = history(opts);
        const fromEnv = signOffFromEnv();
        const approver = opts.approver ?? fromEnv?.approver ?? null;
        const participants =
          opts.participants !== undefined
            ? parseParticipants(opts.participants)
            : (fromEnv?.participants ?? []);
        const signOff = approver !== null || participants.length > 0 ? { approver, participants } : undefined;
        const dirs = [
          ...runDirs.map((d) => resolve(d)),
          ...(opts.from ? newRunDirs(resolve(opts.from), historyDir) : []),
        ];
        if (dirs.length === 0) out('compliance: no new run to ingest');
        for (const runDir of dirs) {
          try {
            const record = ingestRun({ historyDir, runDir, ...(signOff ? { signOff } : {}) });
            out(
              `ingested ${record.run.runId} as record ${record.seq} (${record.artifacts.length} artifacts, chain ${record.chainHash.slice(0, 16)}…)`,
            );
          } catch (error) {
            // With --from, a dry or refused run is skipped rather than fatal.
            if (opts.from && error instanceof DrillError && error.message.includes('nothing was executed'))
              out(`skipped ${runDir}: no drill took place (${error.message.split(': ')[0]})`);
            else throw error;
          }
        }
        if (opts.signingKey) for (const f of signHistory(historyDir, opts.signingKey)) out(`signed ${f}`);
      },
    );
  cli
    .command('keygen')
    .description('write a new ed25519 key pair for signing records (keep the private key out of the history)')
    .requiredOption('--out <dir>', 'directory for compliance-signing.key and compliance-signing.pub')
    .action((opts: { out: string }) => {
      const key = generateSigningKey(resolve(opts.out));
      out(`private key ${key.privateKeyFile} (secret), public key ${key.publicKeyFile}, key id ${key.keyId}`);
    });
  cli
    .command('sign')
    .description(
      'sign the records that have no signature yet (e.g. those ingested before signing was set up)',
    )
    .option('--history <dir>', 'history directory')
    .option('--signing-key <pem-or-file>', 'ed25519 private key', process.env.DRILL_COMPLIANCE_SIGNING_KEY)
    .action((opts: { history?: string; signingKey?: string }) => {
      if (!opts.signingKey)
        throw new DrillError('E_USAGE', 'sign needs --signing-key or $DRILL_COMPLIANCE_SIGNING_KEY');
      const signed = signHistory(history(opts), opts.signingKey);
      out(`signed ${signed.length} record(s)`);
    });
  cli
    .command('verify')
    .description('check the chain and every artifact sha256; exit 1 and name each tampered file')
    .option('--history <dir>', 'history directory')
    .option(
      '--expect-head <sha256>',
      'the chain hash a previous run published (catches records cut from the end)',
    )
    .option('--allow-empty', 'a missing or empty history is expected (the first drill of a new history)')
    .option(
      '--public-key <pem-or-file>',
      'also require every record signed by this ed25519 public key (default: $DRILL_COMPLIANCE_PUBLIC_KEY)',
      process.env.DRILL_COMPLIANCE_PUBLIC_KEY,
    )
    .action((opts: { history?: string; expectHead?: string; allowEmpty?: boolean; publicKey?: string }) => {
      const dir = history(opts);
      const report = verifyHistory(dir, opts.expectHead, opts.publicKey || undefined);
      for (const p of report.problems) out(`${p.kind}: ${p.message}`);
      const empty = emptyHistoryProblem(dir, report.records, opts.allowEmpty === true);
      if (empty) {
        out(empty);
        exit(1);
        return;
      }
      out(
        report.ok
          ? `verified: ${report.records} records, ${report.artifacts} artifacts, head ${report.head?.chainHash ?? 'empty'}`
          : `TAMPERED: ${report.problems.length} problem(s)`,
      );
      exit(report.ok ? 0 : 1);
    });
  cli
    .command('build')
    .description('write compliance.html, .md, .json and .pdf')
    .option('--history <dir>', 'history directory')
    .option('-o, --out <dir>', 'output directory', 'out/reports/compliance')
    .option('--now <iso>', 'the date due dates and overdue flags are computed against (default: now)')
    .option('--no-pdf', 'skip the PDF (no Chromium needed)')
    .option('--expect-head <sha256>', 'the chain hash a previous run published')
    .action(
      async (opts: { history?: string; out: string; now?: string; pdf: boolean; expectHead?: string }) => {
        const now = parseNow(opts.now);
        const files = await buildComplianceReport({
          historyDir: history(opts),
          outDir: resolve(opts.out),
          pdf: opts.pdf,
          ...(now ? { now } : {}),
          ...(opts.expectHead ? { expectedHead: opts.expectHead } : {}),
        });
        for (const f of [files.html, files.md, files.json, files.pdf]) if (f) out(f);
        for (const e of files.consoleErrors) out(`console error in the HTML: ${e}`);
        if (!files.verify.ok) out(`TAMPERED: ${files.verify.problems.length} problem(s); see the report`);
        exit(files.verify.ok && files.consoleErrors.length === 0 ? 0 : 1);
      },
    );
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => {
      code = c;
    }).parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportCliError(error);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = await main(process.argv.slice(2));
