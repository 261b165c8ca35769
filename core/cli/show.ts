// `pnpm drill show <run-id>`: a run as a human reads it, from result.json and journal.json; with --serve or --open,
// its live page replayed from its files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveFinishedRun } from '../../live/cli.ts';
import { formatDuration } from '../duration.ts';
import { DrillError } from '../errors.ts';
import { Journal } from '../journal.ts';
import { RESULT_FILE } from '../runner/report.ts';
import type { RunResult } from '../runner/result-schema.ts';

export function runDirOf(outDir: string, runId: string): string {
  const dir = join(outDir, 'runs', runId);
  if (!existsSync(join(dir, 'journal.json'))) {
    throw new DrillError(
      'E_NOT_FOUND',
      `no run "${runId}" under ${join(outDir, 'runs')} (pass --out if it is elsewhere)`,
    );
  }
  return dir;
}

const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : formatDuration(value);

export function formatRun(runDir: string): string {
  const journal = Journal.load(runDir).data;
  const resultFile = join(runDir, RESULT_FILE);
  const result = existsSync(resultFile)
    ? (JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult)
    : undefined;
  const lines = [
    `run ${journal.runId}: ${journal.scenario.name} on ${journal.target.name}${journal.dryRun ? ' (dry run)' : ''}`,
    `  started ${journal.startedAt}, state ${journal.state}, verdict ${journal.verdict ?? 'none (the run did not finish)'}`,
  ];
  if (result) {
    lines.push(`  reason: ${result.reason}`);
    lines.push(
      `  RTO ${ms(result.rto?.achievedMs)} ± ${ms(result.rto?.uncertaintyMs)} (objective ${result.objectives.rto})` +
        `, RPO ${ms(result.rpo?.achievedMs)}${result.rpo ? `, ${result.rpo.lostCount} lost writes` : ''} (objective ${result.objectives.rpo})`,
    );
  }
  lines.push('phases:');
  for (const p of journal.phases) lines.push(`  ${p.phase.padEnd(9)} ${p.status}`);
  lines.push('steps:');
  for (const s of journal.steps) {
    const timing = result?.steps.find((r) => r.id === s.id && r.phase === s.phase);
    const since = timing?.sinceT0Ms === undefined ? '' : ` at T0+${ms(timing.sinceT0Ms)}`;
    const late = timing?.lateByMs ? ` (late by ${ms(timing.lateByMs)})` : '';
    lines.push(
      `  ${s.phase.padEnd(8)} ${s.status.padEnd(9)} ${s.title}${since}${late}${s.error ? `: ${s.error}` : ''}`,
    );
    if (s.irreversible)
      lines.push(`           irreversible: ${s.irreversible.reason}; way back: ${s.irreversible.wayBack}`);
  }
  const pending = journal.undos.filter((u) => u.status === 'pending' || u.status === 'failed');
  lines.push(
    pending.length === 0
      ? 'pending undos: none'
      : `pending undos (run \`pnpm drill rollback ${journal.runId}\`):`,
  );
  for (const u of [...pending].reverse())
    lines.push(`  ${u.title} [${u.status}]${u.outcome?.error ? `: ${u.outcome.error}` : ''}`);
  for (const r of journal.rollbacks) lines.push(`rollback at ${r.at}: ${r.done} done, ${r.failed} failed`);
  return lines.join('\n');
}

/** `--serve` / `--open`: the run's page, as it was live, from its events.jsonl; until Ctrl-C. */
export const serveRun = serveFinishedRun;
