// Runs a list of readiness checks side by side; a check that throws could not check, with the error as reason.
import { errorMessage } from '../errors.ts';
import type { ReadinessCheck, ReadinessResult } from './types.ts';

export async function runReadiness(
  checks: ReadinessCheck[],
  signal: AbortSignal,
): Promise<ReadinessResult[]> {
  const results = await Promise.all(
    checks.map(async (check): Promise<ReadinessResult[]> => {
      try {
        return await check.run(signal);
      } catch (error) {
        return [{ name: check.name, status: 'could-not-check', reason: errorMessage(error) }];
      }
    }),
  );
  return results.flat();
}

export const allPass = (results: ReadinessResult[]): boolean =>
  results.length > 0 && results.every((r) => r.status === 'pass');
