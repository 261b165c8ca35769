// The preflight checks that call nothing: read from the target, the plan and the environment only. A real run
// runs them first and refuses on any of them before it builds a client; a dry run runs exactly these and says
// it would refuse. One list, so the two cannot drift. All are run: every problem is named at once.

import type { Target } from '../model.ts';
import { APPROVER_ENV, PARTICIPANTS_ENV, signOffFromEnv } from '../sign-off.ts';
import {
  checkKubeContextsNamed,
  checkPlaceholderAccount,
  checkRegions,
  type PlanEntry,
} from './guardrails.ts';
import type { SafetyCheck } from './types.ts';

export interface StaticCheckInput {
  target: Target<unknown>;
  targetFile: string;
  plan: PlanEntry[];
  env?: NodeJS.ProcessEnv;
}

/** What the calling gates ask of a live target that are not reachable without a safety platform. */
function checkPlatformDeclared({ target, targetFile }: StaticCheckInput): SafetyCheck | undefined {
  if (target.kind !== 'live' || target.safety?.platform) return undefined;
  return {
    name: 'safety-platform',
    status: 'refused',
    detail: `${targetFile}: safety.platform: a live target needs a safety platform (STS, kubeconfig, FIS, alarms, lock): add one`,
  };
}

const plannedHas = (plan: PlanEntry[], name: string) =>
  plan.some((e) => e.stepId === name || e.stepId.endsWith(`:${name}`));

/** Each environment variable the target reads a setting from, set (only those the plan needs): one check each. */
export function checkRequiredEnv({
  target,
  targetFile,
  plan,
  env = process.env,
}: StaticCheckInput): SafetyCheck[] {
  const name = 'settings';
  const required = (target.safety?.requiredEnv ?? []).filter(
    (r) => !r.neededBy || plannedHas(plan, r.neededBy),
  );
  if (required.length === 0)
    return [{ name, status: 'skipped', detail: `${targetFile} reads no setting from the environment` }];
  const unset = required.filter((r) => !env[r.name]?.trim());
  if (unset.length === 0)
    return [{ name, status: 'ok', detail: `${required.map((r) => r.name).join(', ')} set` }];
  return unset.map((r) => ({
    name,
    status: 'refused',
    detail: `${targetFile}: safety.requiredEnv: ${r.name} is not set${r.neededBy ? ` (${r.neededBy} needs it)` : ''}: set it to ${r.setTo}`,
  }));
}

/** A live drill is evidence: it needs who approved it and who took part (one check each). */
export function checkSignOff({ target, env = process.env }: StaticCheckInput): SafetyCheck[] {
  const name = 'sign-off';
  if (target.kind !== 'live')
    return [{ name, status: 'skipped', detail: 'not a live target: no sign-off needed' }];
  const signOff = signOffFromEnv(env);
  const why = `a live drill on target "${target.name}" records who approved it and who took part`;
  const missing: SafetyCheck[] = [];
  if (!signOff?.approver)
    missing.push({
      name,
      status: 'refused',
      detail: `${why}: no approver: pass --approver <name> (or set ${APPROVER_ENV})`,
    });
  if (!signOff?.participants.length)
    missing.push({
      name,
      status: 'refused',
      detail: `${why}: no participants: pass --participants <a,b> (or set ${PARTICIPANTS_ENV})`,
    });
  if (missing.length > 0) return missing;
  return [
    {
      name,
      status: 'ok',
      detail: `approved by ${signOff?.approver}; participants ${signOff?.participants.join(', ')}`,
    },
  ];
}

/** Every non-calling check, in the order a refusal names them. */
export function staticChecks(input: StaticCheckInput): SafetyCheck[] {
  return [
    checkPlaceholderAccount(input.target, input.targetFile),
    checkPlatformDeclared(input),
    ...checkRequiredEnv(input),
    ...checkSignOff(input),
    checkRegions(input),
    checkKubeContextsNamed(input),
  ].filter((c): c is SafetyCheck => c !== undefined);
}

/** How a refusal opens: the reason in result.json, and the heading of the verdict's block. */
export const REFUSAL = {
  run: 'refused to start, nothing was injected',
  dryRun: 'would refuse',
} as const;
