// Every call a scenario would make, step by step, as the run's plan phase lists them (core/runner/phases.ts
// planPhase; keep the two in the same order), without a run: the preflight simulates and checks this plan.
import type { PlannedCall, ProbeDefinition, RunContext, Scenario } from '../model.ts';
import { stepId } from '../runner/ids.ts';
import type { PlanEntry } from '../safety/guardrails.ts';

export function scenarioPlan<R>(scenario: Scenario<R>, ctx: RunContext<R>): PlanEntry[] {
  const planned = (id: string, title: string, plan: ((c: RunContext<R>) => PlannedCall[]) | undefined) => ({
    stepId: id,
    title,
    calls: plan?.(ctx) ?? [],
  });
  const probes = (list: ProbeDefinition<R>[], phase: string) =>
    list.filter((p) => p.plan).map((p) => planned(`${phase}:${p.name}`, `probe ${p.name}`, p.plan));
  const ledger = scenario.ledger;
  return [
    ...probes(scenario.steadyState, 'steady-state'),
    ...(ledger?.plan ? [planned(`ledger:${ledger.name}`, `write ledger ${ledger.name}`, ledger.plan)] : []),
    planned('fault', scenario.fault.title, scenario.fault.plan),
    ...scenario.failover.map((s) => planned(stepId(s), s.title, s.plan)),
    ...probes(scenario.recovery, 'recovery'),
    ...probes(scenario.verify, 'verify'),
    ...(scenario.restore ?? []).map((s) => planned(`restore:${stepId(s)}`, s.title, s.plan)),
  ];
}
