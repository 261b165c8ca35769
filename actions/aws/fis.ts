// A fault injected through AWS FIS: find or create the experiment template, start it idempotently (clientToken from
// the run id, tagged with it), T0 when its disrupting action started; revert = StopExperiment, found by the run-id
// tag even after a crash. https://docs.aws.amazon.com/fis/latest/userguide/experiments.html
import {
  planCreateExperimentTemplate,
  planStartExperiment,
  type StartInput,
  type TemplateInput,
} from '../../clients/aws/fis.ts';
import { FAULT_EFFECTIVE_AT, monoOfWall } from '../../core/measure/index.ts';
import type { FaultDefinition, PlannedCall, RunContext } from '../../core/model.ts';
import { connection } from '../connection.ts';
import { declaredFault } from '../declared.ts';
import type { Select } from '../select.ts';

const RUN_ID_TAG = 'drill:run-id';

export type FaultMeta<R> = Omit<FaultDefinition<R>, 'plan' | 'inject' | 'revert'>;

/** Find or create the template, then start an experiment of it (the fault, or a skip-all target preview). */
export function planExperimentStart(
  region: string,
  template: TemplateInput,
  start: Omit<StartInput, 'templateId'>,
): PlannedCall[] {
  return [
    { service: 'fis', operation: 'ListExperimentTemplates', scope: region, mutating: false },
    planCreateExperimentTemplate(region, template),
    planStartExperiment(region, { templateId: `<${template.name}>`, ...start }),
  ];
}

export function fisExperiment<R>(
  meta: FaultMeta<R>,
  opts: {
    /** Where the experiment runs (the region it disrupts). */
    region: Select<R, string>;
    template: (ctx: RunContext<R>) => TemplateInput;
    /** The action whose start is the fault taking effect (T0). */
    effectiveAction: string;
    /** Appended to the fault's detail (e.g. what happens to data in flight). */
    note?: string;
  },
): FaultDefinition<R> {
  return declaredFault<R>({
    ...meta,
    calls: (ctx) => {
      const region = opts.region(ctx.target.resources);
      return [
        ...planExperimentStart(region, opts.template(ctx), {
          clientToken: `${ctx.runId}-fault`,
          tags: { [RUN_ID_TAG]: ctx.runId },
        }),
        {
          service: 'fis',
          operation: 'GetExperiment',
          scope: region,
          params: { until: 'running' },
          mutating: false,
        },
      ];
    },
    async inject(ctx) {
      const { r, aws } = await connection(ctx);
      const fis = aws.fis(opts.region(r));
      const { id: templateId } = await fis.createExperimentTemplate(opts.template(ctx), {
        signal: ctx.signal,
      });
      const started = await fis.startExperiment(
        { templateId, clientToken: `${ctx.runId}-fault`, tags: { [RUN_ID_TAG]: ctx.runId } },
        { signal: ctx.signal },
      );
      const wait = { signal: ctx.signal, intervalMs: 250, maxIntervalMs: 1000, timeoutMs: 120_000 };
      const running = await fis.waitForExperimentState(started.id, ['running'], wait);
      // T0 is when the disruption started (the action's startTime), not when we saw the experiment running.
      const effective = await fis.waitForActionStart(running.id, opts.effectiveAction, wait);
      return {
        detail: `FIS experiment ${running.id} running since ${effective.toISOString()} (template ${templateId})${opts.note ? `; ${opts.note}` : ''}`,
        undoData: { experimentId: running.id, region: fis.region },
        measurements: { [FAULT_EFFECTIVE_AT]: monoOfWall(effective, ctx.clock.now(), Date.now()) },
      };
    },
    async revert(ctx, undoData) {
      const { r, aws } = await connection(ctx);
      const data = undoData as { experimentId?: string; region?: string } | undefined;
      const fis = aws.fis(data?.region ?? opts.region(r));
      // After a crash the id may never have been journaled: find the run's experiments by tag.
      const ids = data?.experimentId
        ? [data.experimentId]
        : (await fis.findExperimentsByRunId(ctx.runId, { signal: ctx.signal })).map((e) => e.id);
      for (const id of ids) {
        await fis.stopExperiment(id, { signal: ctx.signal });
        await fis.waitForExperimentState(id, ['stopped', 'completed', 'failed', 'cancelled'], {
          signal: ctx.signal,
          intervalMs: 250,
          maxIntervalMs: 1000,
          timeoutMs: 120_000,
        });
      }
    },
  });
}
