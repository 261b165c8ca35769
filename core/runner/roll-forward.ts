// The roll-forward rule, shared by the run (restore phase) and `drill rollback` (from the journal).
// It lives in the engine, not in a per-step flag: the scenario's failover order already says which steps lead to a
// serving region, and a flag a scenario author forgets would leave the target dark after an abort.
import { errorMessage } from '../errors.ts';
import type { StepDefinition } from '../model.ts';
import { stepId } from './ids.ts';
import { notServingMessage, type ServingOutcome, servingSummary } from './serving.ts';

/** A failover step counts as done when its last attempt ended ok, or as a best-effort deviation. */
const DONE = new Set(['ok', 'deviation']);

export interface RollForwardPlan<R> {
  /** The step that cannot be undone and made rolling back impossible (the first one that started). */
  after: { stepId: string; title: string };
  /** The failover steps still to run, in order; `index` names their timeout setting (`failover[index]`). */
  steps: { index: number; step: StepDefinition<R> }[];
}

/** What became of a roll forward: reported in the verdict's reason, the journal, the console and Allure. */
export interface RollForwardOutcome {
  after: { stepId: string; title: string };
  /** Why the failover stopped short: an abort (the default), or one of its own steps failing. */
  cause?: 'failure';
  /** Titles of the failover steps the roll forward finished, in order. */
  done: string[];
  /** The step that failed (the roll forward stopped there) and the steps it left undone, that one first. */
  failed?: { title: string; error: string; left: string[] };
  /** Once every step went through: whether the recovery probes pass (undefined when the scenario has none). */
  serving?: ServingOutcome;
}

/**
 * Once a step that cannot be undone started, every failover step from the first one not done onwards is the only
 * way to a serving region: undefined when nothing irreversible started or the failover is finished.
 */
export function planRollForward<R>(
  failover: StepDefinition<R>[],
  lastStatus: (stepId: string) => string | undefined,
  irreversible: { stepId: string; title: string } | undefined,
): RollForwardPlan<R> | undefined {
  if (!irreversible) return undefined;
  const first = failover.findIndex((s) => !DONE.has(lastStatus(stepId(s)) ?? ''));
  if (first < 0) return undefined;
  return { after: irreversible, steps: failover.slice(first).map((step, i) => ({ index: first + i, step })) };
}

/**
 * The roll forward itself, for the run and for `drill rollback`: the plan's steps in order through `runOne` (which
 * throws when a step fails; a best-effort deviation returns), stopping at the first failure; once every step went
 * through, whether the recovery probes pass (`serving`).
 */
export async function executeRollForward<R>(
  plan: RollForwardPlan<R>,
  opts: {
    cause?: 'failure';
    runOne: (entry: { index: number; step: StepDefinition<R> }) => Promise<void>;
    serving: () => Promise<ServingOutcome | undefined>;
    redact: (text: string) => string;
  },
): Promise<RollForwardOutcome> {
  const outcome: RollForwardOutcome = {
    after: plan.after,
    done: [],
    ...(opts.cause ? { cause: opts.cause } : {}),
  };
  for (const [n, entry] of plan.steps.entries()) {
    try {
      await opts.runOne(entry);
    } catch (error) {
      outcome.failed = {
        title: entry.step.title,
        error: opts.redact(errorMessage(error)),
        left: plan.steps.slice(n).map((s) => s.step.title),
      };
      return outcome;
    }
    outcome.done.push(entry.step.title);
  }
  const serving = await opts.serving();
  if (serving) outcome.serving = serving;
  return outcome;
}

const quoted = (titles: string[]) => titles.map((t) => `'${t}'`).join(', ');

export function rollForwardStartMessage<R>(plan: RollForwardPlan<R>): string {
  return `rolling forward: '${plan.after.title}' cannot be undone and the failover is not finished; running the remaining failover steps first (${quoted(plan.steps.map((s) => s.step.title))}) so the target keeps a serving region, then rolling back the rest`;
}

/** The verdict's words for it: "rolled forward: 'A', 'B' (abort after 'X')". */
export function rollForwardSummary(outcome: RollForwardOutcome): string {
  const why = outcome.cause === 'failure' ? 'a failover step failed after' : 'abort after';
  const serving = outcome.serving?.ok ? `, ${servingSummary(outcome.serving)}` : '';
  return `rolled forward: ${outcome.done.length ? quoted(outcome.done) : 'nothing'} (${why} '${outcome.after.title}')${serving}`;
}

/** Said LOUDLY when a roll-forward step fails: what may be dark, and exactly what to run. */
export function rollForwardFailure(outcome: RollForwardOutcome, runId: string, wayBack: string): string {
  const failed = outcome.failed;
  if (!failed) {
    if (!outcome.serving || outcome.serving.ok) return '';
    return `‼ ROLLED FORWARD BUT NOT SERVING: ${notServingMessage(outcome.serving)}. THE TARGET MAY HAVE NO SERVING REGION: every failover step after '${outcome.after.title}' went through, so find what the probes point at and fix it by hand; then the way back: ${wayBack}`;
  }
  return `‼ ROLL FORWARD FAILED at '${failed.title}': ${failed.error}. THE TARGET MAY HAVE NO SERVING REGION: '${outcome.after.title}' cannot be undone and ${quoted(failed.left)} did not finish. Run \`pnpm drill rollback ${runId}\` (it retries the remaining failover steps, then the undos), or do those steps by hand; then the way back: ${wayBack}`;
}
