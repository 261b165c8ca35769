// The drill's own preflight gates (core/safety) as readiness checks, for `pnpm drill preflight`: the account,
// regions and kube contexts, the drill lock (read, never taken), running FIS experiments, replication lag, the
// abort alarms and the IAM simulation of the whole plan. The drill runs these through runPreflightGates.
import type { Target } from '../model.ts';
import {
  checkAbortAlarms,
  checkExperiments,
  checkPermissions,
  checkReplicationLag,
} from '../safety/gates.ts';
import { checkGuardrails, type PlanEntry } from '../safety/guardrails.ts';
import type { SafetyCheck, SafetyPlatform } from '../safety/types.ts';
import type { ReadinessCheck, ReadinessResult } from './types.ts';

/** What repairs a refused gate (its detail says what was found). */
const FIX: Record<string, string> = {
  'aws-account': 'use credentials of an account in aws.accountIds (AWS_PROFILE), or fix aws.accountIds',
  'aws-regions': 'keep every call in aws.regions, or add the region to the target',
  'kube-contexts': 'aws eks update-kubeconfig for each cluster, or fix kube.contexts in the target',
  'fis-experiments': 'wait for the experiment to end, or stop it (aws fis stop-experiment)',
  'replication-lag': 'wait until replication catches up',
  'abort-alarms': 'create the alarm, fix its name, or wait until it is OK',
  permissions:
    "grant the denied actions to the drill's role (or let it call iam:SimulatePrincipalPolicy on itself)",
};

export function toReadiness(check: SafetyCheck): ReadinessResult {
  const fix = FIX[check.name];
  switch (check.status) {
    case 'ok':
      return { name: check.name, status: 'pass', reason: check.detail };
    case 'skipped':
      return { name: check.name, status: 'pass', reason: `not needed: ${check.detail}` };
    case 'refused':
      return { name: check.name, status: 'fail', reason: check.detail, ...(fix ? { fix } : {}) };
    case 'unknown':
      return { name: check.name, status: 'could-not-check', reason: check.detail, ...(fix ? { fix } : {}) };
  }
}

export interface GateCheckInput {
  target: Target<unknown>;
  targetFile: string;
  plan: PlanEntry[];
  platform: SafetyPlatform | undefined;
  rpo: { ms: number; text: string };
}

export function gateChecks(input: GateCheckInput): ReadinessCheck[] {
  const calls = input.platform?.readCalls ?? [];
  const gate = (name: string, run: (signal: AbortSignal) => Promise<SafetyCheck[]>): ReadinessCheck => ({
    name,
    calls,
    run: async (signal) => (await run(signal)).map(toReadiness),
  });
  const at = (signal: AbortSignal) => ({ ...input, signal });
  return [
    gate('guardrails', (signal) => checkGuardrails(at(signal))),
    gate('lock', async (signal) => {
      const lock = input.platform?.lock;
      if (!lock)
        return [
          { name: 'lock', status: 'skipped', detail: 'the target keeps its lock in the out directory' },
        ];
      const holder = await lock.read(signal);
      return [
        holder
          ? {
              name: 'lock',
              status: 'refused',
              detail: `${lock.where} is held by run ${holder.runId} (${holder.scenario}, ${holder.host} pid ${holder.pid}, since ${holder.startedAt}): wait for it, or release it with \`pnpm drill rollback ${holder.runId}\``,
            }
          : { name: 'lock', status: 'ok', detail: `${lock.where} is free` },
      ];
    }),
    gate('fis-experiments', async (signal) => [await checkExperiments(at(signal))]),
    gate('replication-lag', async (signal) => [await checkReplicationLag(at(signal))]),
    gate('abort-alarms', async (signal) => [await checkAbortAlarms(at(signal))]),
    gate('permissions', async (signal) => [await checkPermissions(at(signal))]),
  ];
}
