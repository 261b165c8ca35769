// Results of the Luneo readiness checks, and what a failed read means: a resource that is not there fails the
// check (fix: the target file or the resource); a read the preflight's credentials may not make, or that did not
// answer, could not check it (fix: the permission).
import { isClientError } from '../../clients/errors.ts';
import { errorMessage } from '../../core/errors.ts';
import type { PlannedCall } from '../../core/model.ts';
import type { ReadinessResult } from '../../core/preflight/types.ts';

export const pass = (name: string, reason: string): ReadinessResult => ({ name, status: 'pass', reason });
export const fail = (name: string, reason: string, fix: string): ReadinessResult => ({
  name,
  status: 'fail',
  reason,
  fix,
});
export const couldNotCheck = (name: string, reason: string, fix: string): ReadinessResult => ({
  name,
  status: 'could-not-check',
  reason,
  fix,
});

/** A read that failed: not found → fail with `missingFix`; anything else → could not check. */
export function readFailure(
  name: string,
  error: unknown,
  missingFix: string,
  action: string,
): ReadinessResult {
  if (isClientError(error, 'E_NOT_FOUND')) return fail(name, errorMessage(error), missingFix);
  if (isClientError(error, 'E_ACCESS_DENIED'))
    return couldNotCheck(
      name,
      errorMessage(error),
      `grant ${action} to the credentials the preflight runs with (a read-only role is enough)`,
    );
  return couldNotCheck(name, errorMessage(error), 'check the AWS credentials and network, then run it again');
}

/** A read-only call of a readiness check, as the plan lists it. */
export const read = (service: string, operation: string, scope?: string): PlannedCall => ({
  service,
  operation,
  ...(scope ? { scope } : {}),
  mutating: false,
});
