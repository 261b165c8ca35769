// FIS service quotas on how many resources an experiment may target with an action when they are selected by
// tags or parameters (FIS User Guide, "Quotas and limitations": https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html;
// Service Quotas lists each with its code). Past the quota the experiment fails with QuotaExceededFailure
// (FIS User Guide, "Troubleshooting": https://docs.aws.amazon.com/fis/latest/userguide/troubleshooting.html).
import type { LabResource } from '../backend.ts';
import type { ActionSpecInput } from './action-spec.ts';
import type { TargetSpec } from './targets.ts';

export interface TargetQuota {
  /** The quota's name in Service Quotas. */
  name: string;
  /** Its Service Quotas code (service code `fis`). */
  code: string;
  /** Default value; adjustable through Service Quotas. */
  value: number;
}

export const TARGET_QUOTAS: Record<string, TargetQuota> = {
  'aws:network:disrupt-connectivity': {
    name: 'Target Subnets for aws:network:disrupt-connectivity',
    code: 'L-1F59732D',
    value: 5,
  },
};

export interface QuotaBreach {
  quota: TargetQuota;
  /** Where in the template: the first action counted. */
  location: string;
  count: number;
}

/** The first quota the experiment's tag- or parameter-selected targets exceed, counted over all its actions of a type. */
export function quotaBreach(
  actions: Record<string, ActionSpecInput>,
  targets: Record<string, TargetSpec>,
  resolved: Record<string, LabResource[]>,
  quotas: Record<string, TargetQuota> = TARGET_QUOTAS,
): QuotaBreach | undefined {
  for (const [actionId, quota] of Object.entries(quotas)) {
    const named = Object.entries(actions).filter(([, a]) => a.actionId === actionId);
    const arns = new Set<string>();
    for (const [, action] of named) {
      for (const targetName of Object.values(action.targets ?? {})) {
        const spec = targets[targetName];
        if (!spec || spec.resourceArns?.length) continue;
        for (const resource of resolved[targetName] ?? []) arns.add(resource.arn);
      }
    }
    if (arns.size > quota.value)
      return { quota, location: `actions.${named[0]?.[0] ?? actionId}`, count: arns.size };
  }
  return undefined;
}
