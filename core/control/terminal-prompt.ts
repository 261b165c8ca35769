// The terminal half of a manual checkpoint: `pnpm drill` owns the TTY (the engine may run in a vitest worker), so it
// asks here and writes the answer through the control channel. An answer from the page closes the question.
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { formatDuration } from '../duration.ts';
import {
  type CheckpointRecord,
  confirmCheckpoint,
  type PendingCheckpoint,
  readCheckpoint,
  watchPendingCheckpoints,
} from './checkpoint.ts';
import { confirmationsDir } from './files.ts';
import { watchFolder } from './watch.ts';

/** Who confirms at this terminal: $DRILL_OPERATOR, else the login name. */
export function terminalOperator(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DRILL_OPERATOR?.trim()) return env.DRILL_OPERATOR.trim();
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

const SAME_PERSON = new Set(['', 'y', 'yes', 'ok', 'done', 'confirm', 'confirmed']);

/** The name a typed answer confirms as: Enter (or "yes", "done") is the operator, anything else a name. */
export function confirmerOf(answer: string, operator: string): string {
  const typed = answer.trim();
  return SAME_PERSON.has(typed.toLowerCase()) ? operator : typed;
}

export function questionText(p: PendingCheckpoint, operator: string): string {
  return [
    '',
    `⏸ Manual checkpoint ${p.runbook ?? ''} ${p.title}`.replace(/ {2,}/g, ' '),
    `  ${p.instruction}`,
    `  Waits up to ${formatDuration(p.waitUpToMs)}, then ${p.onTimeout === 'abort' ? 'aborts the drill' : 'goes on without it'}.`,
    `  Press Enter once done to confirm as ${operator} (or type your name): `,
  ].join('\n');
}

const answeredText = (r: CheckpointRecord) =>
  r.outcome === 'confirmed' ? `confirmed by ${r.by} (${r.via})` : 'timed out';

/** Asks each checkpoint that starts waiting, one at a time; returns a function that stops asking. */
export function promptCheckpoints(
  runDir: string,
  io: {
    input: NodeJS.ReadableStream;
    output: NodeJS.WritableStream;
    operator?: string;
    /** Force terminal mode (tests); default: the output is a TTY. */
    terminal?: boolean;
    /** Ctrl-C at the prompt (default: raised as the SIGINT it is, so the drill aborts as ever). */
    onCtrlC?: () => void;
  },
): () => void {
  const operator = io.operator ?? terminalOperator();
  const stopped = new AbortController();
  let queue = Promise.resolve();
  const ask = async (p: PendingCheckpoint) => {
    if (stopped.signal.aborted || readCheckpoint(runDir, p.stepId)) return;
    const question = new AbortController();
    const onStop = () => question.abort();
    stopped.signal.addEventListener('abort', onStop, { once: true });
    // Answered elsewhere (the page, or the bound ran out): the question goes.
    const stopWatch = watchFolder(confirmationsDir(runDir), () => {
      if (readCheckpoint(runDir, p.stepId)) question.abort();
    });
    const rl = createInterface({
      input: io.input,
      output: io.output,
      ...(io.terminal === undefined ? {} : { terminal: io.terminal }),
    });
    // A prompt puts the terminal in raw mode, where Ctrl-C is a keystroke, not a signal: without this it would only
    // pause the prompt, and Ctrl-C must always abort the drill.
    rl.on('SIGINT', io.onCtrlC ?? (() => process.kill(process.pid, 'SIGINT')));
    try {
      const answer = await rl.question(questionText(p, operator), { signal: question.signal });
      const { record, first } = confirmCheckpoint(runDir, p.stepId, {
        by: confirmerOf(answer, operator),
        via: 'terminal',
      });
      io.output.write(
        first ? `  ✔ ${answeredText(record)}\n` : `  already answered: ${answeredText(record)}\n`,
      );
    } catch {
      const record = readCheckpoint(runDir, p.stepId);
      if (record) io.output.write(`\n  answered elsewhere: ${answeredText(record)}\n`);
    } finally {
      rl.close();
      stopWatch();
      stopped.signal.removeEventListener('abort', onStop);
    }
  };
  const stopPending = watchPendingCheckpoints(runDir, (p) => {
    queue = queue.then(() => ask(p));
  });
  return () => {
    stopPending();
    stopped.abort();
  };
}
