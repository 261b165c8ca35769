// Maps an error to its exit code and prints it: bad input says what to fix; anything else is a bug.
import { DrillError, formatProblem, ValidationError } from '../errors.ts';
import { EXIT } from './exit-codes.ts';

const BAD_INPUT_CODES = ['E_USAGE', 'E_NOT_FOUND', 'E_VALIDATION', 'E_DURATION', 'E_GUARDRAIL'];

/** Prints an error the way the exit code says, and returns that code. */
export function reportCliError(
  error: unknown,
  write: (text: string) => void = (t) => process.stderr.write(t),
): number {
  if (error instanceof ValidationError) {
    write(`${error.problems.map(formatProblem).join('\n')}\n`);
    write(
      `drill: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}; nothing was run\n`,
    );
    return EXIT.badInput;
  }
  if (error instanceof DrillError && BAD_INPUT_CODES.includes(error.code)) {
    write(`drill: ${error.message}\n`);
    return EXIT.badInput;
  }
  write(
    `drill: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.internal;
}
