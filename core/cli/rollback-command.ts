// `pnpm drill rollback <run-id>`: loads the scenario and target named in the run's events and runs the pending undos.
import { loadJournal } from '../journal.ts';
import { loadDrill } from '../load-drill.ts';
import { Redactor } from '../redact.ts';
import { rollbackRun } from '../runner/rollback.ts';
import { EXIT } from './exit-codes.ts';

export async function rollbackCommand(
  runDir: string,
  opts: { restore?: boolean; redactor?: Redactor },
): Promise<number> {
  const { scenario, target } = loadJournal(runDir).data;
  const drill = await loadDrill(scenario.name, target.name);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const result = await rollbackRun(runDir, drill.scenario, drill.target, {
    restore: opts.restore,
    redactor: opts.redactor ?? new Redactor(),
    onProgress: out,
  });
  if (result.undos.length === 0 && result.restore.length === 0) out(`run ${result.runId}: nothing to undo`);
  for (const step of result.irreversible) {
    out(`‼ IRREVERSIBLE: "${step.title}" is not undone by a rollback; way back: ${step.wayBack}`);
  }
  const { lock } = result;
  out(`lock: ${lock.status}${lock.detail ? `: ${lock.detail}` : ''} (${lock.where})`);
  out(`run ${result.runId}: ${result.state}`);
  if (result.resultFile) {
    out(
      `recorded as INTERRUPTED (killed, then rolled back): ${result.resultFile}; \`pnpm report\` and compliance show it so`,
    );
  }
  return result.state === 'rolled-back' ? EXIT.passed : EXIT.failed;
}
