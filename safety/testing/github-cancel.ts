// What GitHub's runner does to a step when its workflow run is cancelled
// (https://docs.github.com/en/actions/reference/workflow-cancellation-reference): SIGINT to the step's process,
// SIGTERM if it has not exited within 7500 ms, and the process tree killed if it is still running 2500 ms later.
import type { StepProcess } from './workflow-step.ts';

export const CANCEL_SIGTERM_AFTER_MS = 7_500;
export const CANCEL_KILL_AFTER_MS = 2_500;

/** Resolves when the group is gone or `ms` passed; true when it is gone. */
async function goneWithin(step: StepProcess, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (step.alive() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !step.alive();
}

/**
 * Cancels `step` as the runner does; returns the signals that were sent, in order. SIGINT and SIGTERM go to the
 * step's process group (as a terminal's Ctrl-C does: the widest the runner's signal can reach), the kill to its
 * whole process tree.
 */
export async function cancelLikeGitHub(step: StepProcess): Promise<NodeJS.Signals[]> {
  const sent: NodeJS.Signals[] = [];
  const send = (signal: NodeJS.Signals) => {
    sent.push(signal);
    step.signalGroup(signal);
  };
  send('SIGINT');
  if (await goneWithin(step, CANCEL_SIGTERM_AFTER_MS)) return sent;
  send('SIGTERM');
  if (await goneWithin(step, CANCEL_KILL_AFTER_MS)) return sent;
  sent.push('SIGKILL');
  step.killTree();
  await goneWithin(step, 10_000);
  return sent;
}
