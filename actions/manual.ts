// A runbook line a person does (ticket, chat, pipeline freeze): recorded in the timeline, never automated.
import { defineStep, type RunbookRef, type StepDefinition } from '../core/model.ts';

export function manualCheckpoint<R>(opts: {
  id: string;
  runbook: RunbookRef;
  title: string;
  instruction: string;
  plannedAt?: string;
}): StepDefinition<R> {
  return defineStep<R>({
    id: opts.id,
    title: `Manual: ${opts.title}`,
    runbook: opts.runbook,
    plannedAt: opts.plannedAt,
    timeout: '5s',
    plan: () => [],
    async run(ctx) {
      ctx.log.info(`manual checkpoint (${opts.runbook}): ${opts.instruction}`);
      return { detail: `manual checkpoint, not automated: ${opts.instruction}` };
    },
  });
}
