// `pnpm drill halt <run-id>`: from another terminal, stops a running drill as Ctrl-C would (it rolls back, or rolls
// forward after a step that cannot be undone), through the run's control channel (core/control).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requestHalt } from '../control/halt.ts';
import { ownerAlive, runOwner } from '../control/owner.ts';
import { terminalOperator } from '../control/terminal-prompt.ts';
import { RESULT_FILE } from '../runner/report.ts';
import { EXIT } from './exit-codes.ts';

export interface HaltCommandOptions {
  out: string;
  /** Who halts (default: $DRILL_OPERATOR, else the login name). */
  by?: string;
  reason?: string;
  /** Wait for the run to end and print its verdict (default true). */
  wait?: boolean;
}

type Write = (line: string) => void;

const finishedVerdict = (runDir: string): string | undefined => {
  const file = join(runDir, RESULT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { verdict, reason } = JSON.parse(readFileSync(file, 'utf8')) as { verdict: string; reason: string };
    return `verdict ${verdict.toUpperCase()}, ${reason}`;
  } catch {
    return 'finished';
  }
};

/** Whether a run is going on now: its command is alive and it wrote no result yet. */
const isRunning = (runDir: string) => !existsSync(join(runDir, RESULT_FILE)) && ownerAlive(runDir);

function runsIn(runsDir: string): { running: string[]; other: string[] } {
  const ids = existsSync(runsDir) ? readdirSync(runsDir).sort() : [];
  const running = ids.filter((id) => isRunning(join(runsDir, id)));
  return { running, other: ids.filter((id) => !running.includes(id)) };
}

function refuse(why: string, runsDir: string, err: Write): number {
  const { running, other } = runsIn(runsDir);
  err(`drill halt: ${why}`);
  err(
    running.length > 0
      ? `  running now under ${runsDir}: ${running.join(', ')}`
      : `  no drill is running under ${runsDir} (pass --out if its runs are elsewhere)`,
  );
  if (other.length > 0) {
    const earlier = other.length > 10 ? `(${other.length - 10} earlier) ` : '';
    err(`  finished or stopped: ${earlier}${other.slice(-10).join(', ')}`);
  }
  return EXIT.badInput;
}

export async function haltCommand(
  runId: string,
  opts: HaltCommandOptions,
  out: Write = (line) => process.stdout.write(`${line}\n`),
  err: Write = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const runsDir = join(opts.out, 'runs');
  const runDir = join(runsDir, runId);
  if (runId.includes('/') || !existsSync(runDir)) return refuse(`no run "${runId}"`, runsDir, err);
  const verdict = finishedVerdict(runDir);
  if (verdict) return refuse(`run ${runId} has finished (${verdict}): nothing to halt`, runsDir, err);
  if (!ownerAlive(runDir)) {
    const owner = runOwner(runDir);
    return refuse(
      `run ${runId} is not running: ${owner ? `the command that ran it (pid ${owner.pid}) is gone` : 'no drill command runs it'}; undo what it changed with: pnpm drill rollback ${runId}`,
      runsDir,
      err,
    );
  }
  const { request, first } = requestHalt(runDir, {
    by: opts.by ?? terminalOperator(),
    via: 'terminal',
    ...(opts.reason ? { reason: opts.reason } : {}),
  });
  out(
    first
      ? `halt requested by ${request.by}: run ${runId} stops as on Ctrl-C (rollback, or roll forward after a step that cannot be undone)`
      : `a halt was already requested by ${request.by} at ${request.at}: run ${runId} is stopping`,
  );
  if (opts.wait === false) return EXIT.passed;
  while (isRunning(runDir)) await new Promise((r) => setTimeout(r, 250));
  out(`run ${runId} ended: ${finishedVerdict(runDir) ?? 'without a result (see its terminal)'}`);
  return EXIT.passed;
}
