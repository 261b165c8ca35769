// Finds a scenario and its target by name (core/registry.ts) and validates both: what the CLI, the vitest harness
// (drills/harness.ts) and a team's own runner start from.
import { errorMessage, type Problem, ValidationError } from './errors.ts';
import type { Scenario, Target } from './model.ts';
import { loadModule } from './registry.ts';
import { validateScenario, validateTarget } from './validate/index.ts';

export interface LoadedDrill {
  scenario: Scenario<unknown>;
  target: Target<unknown>;
  scenarioFile: string;
  targetFile: string;
}

/** Loads and validates a scenario and its target; throws ValidationError with every problem of both. */
export async function loadDrill(scenarioName: string, targetName: string | undefined): Promise<LoadedDrill> {
  const scenarioModule = await loadModule('scenario', scenarioName);
  const scenarioProblems = validateScenario(scenarioModule.value, scenarioModule.file);
  const declared = (scenarioModule.value as { defaultTarget?: unknown }).defaultTarget;
  const name = targetName ?? (typeof declared === 'string' ? declared : 'lab');
  let targetModule: { file: string; value: unknown };
  try {
    targetModule = await loadModule('target', name);
  } catch (error) {
    // Report the unknown target together with the scenario's own problems.
    const problems: Problem[] = [
      ...scenarioProblems,
      { file: '--target', path: '', message: errorMessage(error) },
    ];
    throw new ValidationError(problems);
  }
  const problems = [...scenarioProblems, ...validateTarget(targetModule.value, targetModule.file)];
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    scenario: scenarioModule.value as Scenario<unknown>,
    target: targetModule.value as Target<unknown>,
    scenarioFile: scenarioModule.file,
    targetFile: targetModule.file,
  };
}
