// Preflight: the subnets a FIS network fault selects by tag must fit the account's FIS quota, or FIS fails the
// experiment (QuotaExceededFailure) after the drill has begun. Counted with FIS's own target preview: the same
// template started with actionsMode skip-all resolves the targets and injects nothing.
import { declaredProbe } from '../../../actions/declared.ts';
import { TERMINAL_EXPERIMENT_STATES } from '../../../clients/aws/fis.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { ProbeDefinition } from '../../../core/model.ts';
import { luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import { type NetworkOutageOptions, outageTemplate, planOutageStart } from './fault.ts';

/** FIS User Guide "Quotas and limitations"; Service Quotas service code fis. Counted per experiment. */
export const FIS_SUBNET_QUOTA = {
  name: 'Target Subnets for aws:network:disrupt-connectivity',
  code: 'L-1F59732D',
  defaultValue: 5,
} as const;

const PREVIEW_TAG = 'drill:target-preview-of';
/** The template's subnet target (see outageTemplate). */
const SUBNET_TARGET = 'Subnets';

/** How to raise the quota, for a refusal. */
export function raiseSubnetQuota(needed: number, region: string): string {
  return (
    `raise "${FIS_SUBNET_QUOTA.name}" in Service Quotas (AWS Fault Injection Service, code ${FIS_SUBNET_QUOTA.code}): ` +
    `aws service-quotas request-service-quota-increase --service-code fis --quota-code ${FIS_SUBNET_QUOTA.code} ` +
    `--desired-value ${needed} --region ${region}; once granted, set fis.targetSubnetQuota to it in the target. ` +
    'Or narrow the subnet tags so fewer subnets match'
  );
}

/** Steady state of a FIS network fault: its tag-selected subnets fit the quota (FIS target preview). */
export function fisTargetsWithinQuota(opts: NetworkOutageOptions): ProbeDefinition<LuneoResources> {
  return declaredProbe<LuneoResources>({
    name: 'fis-target-quota',
    description: `The subnets ${opts.name} selects by tag fit "${FIS_SUBNET_QUOTA.name}" (FIS target preview)`,
    timeout: '2m',
    calls: (ctx) => {
      const region = ctx.target.resources.primary.region;
      return [
        ...planOutageStart(ctx, opts, {
          clientToken: `${ctx.runId}-target-preview`,
          tags: { [PREVIEW_TAG]: ctx.runId },
          actionsMode: 'skip-all',
        }),
        {
          service: 'fis',
          operation: 'GetExperiment',
          scope: region,
          params: { until: 'ended' },
          mutating: false,
        },
        { service: 'fis', operation: 'ListExperimentResolvedTargets', scope: region, mutating: false },
      ];
    },
    async check(ctx, { signal }) {
      const l = await luneo(ctx);
      const region = l.r.primary.region;
      const fis = l.aws.fis(region);
      const quota = l.r.fis.targetSubnetQuota ?? FIS_SUBNET_QUOTA.defaultValue;
      const { id: templateId } = await fis.createExperimentTemplate(outageTemplate(ctx, opts), { signal });
      const started = await fis.startExperiment(
        {
          templateId,
          clientToken: `${ctx.runId}-target-preview`,
          tags: { [PREVIEW_TAG]: ctx.runId },
          actionsMode: 'skip-all',
        },
        { signal },
      );
      const ended = await fis.waitForExperimentState(started.id, TERMINAL_EXPERIMENT_STATES, {
        signal,
        intervalMs: 250,
        maxIntervalMs: 1000,
        timeoutMs: 100_000,
      });
      if (ended.status !== 'completed') {
        const why = `FIS target preview ${ended.id} ${ended.status}: ${ended.reason ?? 'no reason given'}`;
        const overQuota = /quota/i.test(ended.reason ?? '');
        return {
          ok: false,
          detail: overQuota ? `${why}. ${raiseSubnetQuota(quota + 1, region)}` : why,
        };
      }
      let subnets: number;
      try {
        subnets = (await fis.listResolvedTargets(ended.id, { signal })).filter(
          (t) => t.targetName === SUBNET_TARGET,
        ).length;
      } catch (error) {
        return {
          ok: false,
          detail: `FIS target preview ${ended.id}: resolved targets unknown: ${errorMessage(error)}`,
        };
      }
      const tags = JSON.stringify(opts.subnets(l.r));
      if (subnets > quota) {
        return {
          ok: false,
          detail:
            `${opts.name} selects ${subnets} subnets by tag ${tags}, more than "${FIS_SUBNET_QUOTA.name}" (${quota}) lets ` +
            `one experiment target: FIS would fail it with QuotaExceededFailure. ${raiseSubnetQuota(subnets, region)}`,
        };
      }
      return {
        ok: true,
        detail: `${subnets} subnet(s) selected by tag ${tags}, within "${FIS_SUBNET_QUOTA.name}" (${quota}); preview ${ended.id}`,
        data: { subnets, quota },
      };
    },
  });
}
