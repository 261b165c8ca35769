// Validation of scenario and target files: every problem at once, each naming file, path and fix.

import { type Problem, ValidationError } from '../errors.ts';

export { describeValue, joinPath, redactCredentials } from './describe.ts';
export { validateScenario } from './scenario.ts';
export { slugify, stepIdOf } from './slug.ts';
export { didYouMean, editDistance } from './suggest.ts';
export { validateTarget } from './target.ts';

/** Throws one ValidationError listing every problem; does nothing when there is none. */
export function assertValid(problems: Problem[]): void {
  if (problems.length > 0) throw new ValidationError(problems);
}
