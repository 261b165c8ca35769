// Luneo's network outages: the generic FIS fault (actions/aws/fis.ts) with the template of each outage.

import { fisExperiment, planExperimentStart } from '../../../actions/aws/fis.ts';
import type { StartInput, TemplateInput } from '../../../clients/aws/fis.ts';
import { parseDuration, toIsoDuration } from '../../../core/duration.ts';
import type { FaultDefinition, PlannedCall, RunbookFinding } from '../../../core/model.ts';
import type { LuneoRun } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

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
  return planExperimentStart(ctx.target.resources.primary.region, outageTemplate(ctx, opts), start);
}

/** A FIS network disruption of the primary region's subnets (database tier, or every tier). */
export function fisNetworkOutage(opts: NetworkOutageOptions): FaultDefinition<LuneoResources> {
  return fisExperiment<LuneoResources>(
    {
      title: opts.title,
      runbook: '§4',
      duration: opts.duration ?? '15m',
      timeout: '3m',
      findings: opts.findings,
    },
    {
      region: (r) => r.primary.region,
      template: (ctx) => outageTemplate(ctx, opts),
      effectiveAction: DISRUPT_ACTION,
      ...(opts.dataInFlight
        ? {
            note: `data in flight ${opts.dataInFlight.lost ? 'lost' : 'kept'}: ${opts.dataInFlight.why}`,
          }
        : {}),
    },
  );
}
