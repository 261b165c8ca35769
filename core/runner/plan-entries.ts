// The order in which a scenario's plan lists its calls: the run's plan phase and the read-only preflight both
// build their plan through this, so the two cannot drift apart.
import type { PlannedCall, ProbeDefinition, RunContext, Scenario } from '../model.ts';
import type { PlanEntry } from '../safety/guardrails.ts';
import { stepId } from './ids.ts';

export type PlanOf<R> = (c: RunContext<R>) => PlannedCall[];

/** Each probe, the ledger, background activities that call the target, the fault, each step, in run order; `planned` turns one plan() into an entry. */
export function scenarioPlanEntries<R>(
  scenario: Scenario<R>,
  planned: (id: string, title: string, plan: PlanOf<R> | undefined) => PlanEntry,
): PlanEntry[] {
  // Probes and the ledger only read (or write their own canary rows), but a plan lists every call.
  const probes = (list: ProbeDefinition<R>[], phase: string) =>
    list.filter((p) => p.plan).map((p) => planned(`${phase}:${p.name}`, `probe ${p.name}`, p.plan));
  const ledger = scenario.ledger;
  return [
    ...probes(scenario.steadyState, 'steady-state'),
    ...(ledger?.plan ? [planned(`ledger:${ledger.name}`, `write ledger ${ledger.name}`, ledger.plan)] : []),
    ...(scenario.background ?? [])
      .filter((b) => b.plan)
      .map((b) => planned(`background:${b.name}`, `background ${b.name}`, b.plan?.bind(b))),
    planned('fault', scenario.fault.title, scenario.fault.plan),
    ...scenario.failover.map((s) => planned(stepId(s), s.title, s.plan)),
    ...probes(scenario.recovery, 'recovery'),
    ...probes(scenario.verify, 'verify'),
    ...(scenario.restore ?? []).map((s) => planned(`restore:${stepId(s)}`, s.title, s.plan)),
  ];
}
