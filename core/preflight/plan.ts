// Every call a scenario would make, step by step, in the run's plan order, without a run: the preflight simulates
// and checks this plan.
import type { RunContext, Scenario } from '../model.ts';
import { scenarioPlanEntries } from '../runner/plan-entries.ts';
import type { PlanEntry } from '../safety/guardrails.ts';

export function scenarioPlan<R>(scenario: Scenario<R>, ctx: RunContext<R>): PlanEntry[] {
  return scenarioPlanEntries(scenario, (stepId, title, plan) => ({
    stepId,
    title,
    calls: plan?.(ctx) ?? [],
  }));
}
