// Faults injected through AWS FIS: find-or-create the template, start it idempotently (clientToken from the
// run id), T0 when it is running; revert = StopExperiment, found by the run-id tag even after a crash.

import {
  planCreateExperimentTemplate,
  planStartExperiment,
  type StartInput,
  type TemplateInput,
} from '../../clients/aws/fis.ts';
import { parseDuration, toIsoDuration } from '../../core/duration.ts';
import { FAULT_EFFECTIVE_AT, monoOfWall } from '../../core/measure/index.ts';
import type { FaultDefinition, PlannedCall, RunbookFinding } from '../../core/model.ts';
import { declaredFault } from '../declared.ts';
import { type LuneoRun, luneo } from './context.ts';
import type { LuneoResources } from './resources.ts';

export interface NetworkOutageOptions {
  /** Template name (tag drill:template). */
  name: string;
  title: string;
  /** Which subnets: the database tier alone, or the whole region. */
  subnets: (r: LuneoResources) => Record<string, string>;
  /** How long FIS keeps the fault before reverting it by itself. */
  duration?: string;
  /**
   * Also pause S3 replication of the buckets tagged DisruptS3=Allowed (aws:s3:bucket-pause-replication), as FIS's
   * "Cross-Region: Connectivity" scenario does: a subnet outage alone does not stop AWS-managed replication.
   */
  pauseS3Replication?: boolean;
  /**
   * Whether writes acknowledged before T0 but not yet replicated are lost, and why: the run records it with the
   * fault, next to the RPO it measured.
   */
  dataInFlight?: { lost: boolean; why: string };
  findings?: RunbookFinding[];
}

const RUN_ID_TAG = 'drill:run-id';
/** The action whose start is the fault taking effect (T0). */
const DISRUPT_ACTION = 'DisruptConnectivity';

/** The experiment template of the fault (also what the FIS target preview resolves). */
export function outageTemplate(ctx: LuneoRun, opts: NetworkOutageOptions): TemplateInput {
  const r = ctx.target.resources;
  const duration = toIsoDuration(parseDuration(opts.duration ?? '15m'));
  const input: TemplateInput = {
    name: opts.name,
    description: `drill: ${opts.title}`,
    roleArn: r.fis.roleArn,
    stopConditions: r.fis.stopConditionAlarmArn
      ? [{ source: 'aws:cloudwatch:alarm', value: r.fis.stopConditionAlarmArn }]
      : [{ source: 'none' }],
    targets: {
      Subnets: { resourceType: 'aws:ec2:subnet', resourceTags: opts.subnets(r), selectionMode: 'ALL' },
    },
    actions: {
      [DISRUPT_ACTION]: {
        actionId: 'aws:network:disrupt-connectivity',
        description: opts.title,
        parameters: { duration, scope: 'all' },
        targets: { Subnets: 'Subnets' },
      },
    },
    tags: { Name: opts.name, 'drill:managed': 'true' },
  };
  if (opts.pauseS3Replication && r.s3) {
    input.targets = {
      ...input.targets,
      Buckets: {
        resourceType: 'aws:s3:bucket',
        resourceTags: { DisruptS3: 'Allowed' },
        selectionMode: 'ALL',
      },
    };
    input.actions = {
      ...input.actions,
      PauseS3Replication: {
        actionId: 'aws:s3:bucket-pause-replication',
        description: `Pause S3 replication to ${r.s3.drBucket}`,
        parameters: { duration, region: r.secondary.region, destinationBuckets: r.s3.drBucket },
        targets: { Buckets: 'Buckets' },
      },
    };
  }
  return input;
}

/** Find or create the outage's template, then start an experiment of it: the fault and its target preview. */
export function planOutageStart(
  ctx: LuneoRun,
  opts: NetworkOutageOptions,
  start: Omit<StartInput, 'templateId'>,
): PlannedCall[] {
  const region = ctx.target.resources.primary.region;
  return [
    { service: 'fis', operation: 'ListExperimentTemplates', scope: region, mutating: false },
    planCreateExperimentTemplate(region, outageTemplate(ctx, opts)),
    planStartExperiment(region, { templateId: `<${opts.name}>`, ...start }),
  ];
}

/** A FIS network disruption of the primary region's subnets (database tier, or every tier). */
export function fisNetworkOutage(opts: NetworkOutageOptions): FaultDefinition<LuneoResources> {
  return declaredFault<LuneoResources>({
    title: opts.title,
    runbook: '§4',
    duration: opts.duration ?? '15m',
    timeout: '3m',
    findings: opts.findings,
    calls: (ctx) => {
      const region = ctx.target.resources.primary.region;
      return [
        ...planOutageStart(ctx, opts, {
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
      const l = await luneo(ctx);
      const fis = l.aws.fis(l.r.primary.region);
      const { id: templateId } = await fis.createExperimentTemplate(outageTemplate(ctx, opts), {
        signal: ctx.signal,
      });
      const started = await fis.startExperiment(
        { templateId, clientToken: `${ctx.runId}-fault`, tags: { [RUN_ID_TAG]: ctx.runId } },
        { signal: ctx.signal },
      );
      const wait = { signal: ctx.signal, intervalMs: 250, maxIntervalMs: 1000, timeoutMs: 120_000 };
      const running = await fis.waitForExperimentState(started.id, ['running'], wait);
      // T0 is when the disruption started (the action's startTime), not when we saw the experiment running.
      const effective = await fis.waitForActionStart(running.id, DISRUPT_ACTION, wait);
      return {
        detail:
          `FIS experiment ${running.id} running since ${effective.toISOString()} (template ${templateId})` +
          (opts.dataInFlight
            ? `; data in flight ${opts.dataInFlight.lost ? 'lost' : 'kept'}: ${opts.dataInFlight.why}`
            : ''),
        undoData: { experimentId: running.id, region: fis.region },
        measurements: { [FAULT_EFFECTIVE_AT]: monoOfWall(effective, ctx.clock.now(), Date.now()) },
      };
    },
    async revert(ctx, undoData) {
      const l = await luneo(ctx);
      const data = undoData as { experimentId?: string; region?: string } | undefined;
      const fis = l.aws.fis(data?.region ?? l.r.primary.region);
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
