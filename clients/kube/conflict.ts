// Re-read and retry on 409 Conflict, as client-go's retry.RetryOnConflict does with retry.DefaultRetry
// (5 attempts, 10 ms apart, 10 % jitter): another writer (Helm, Argo CD, an operator) changed the object.
// https://pkg.go.dev/k8s.io/client-go/util/retry#RetryOnConflict
import { sleep } from '../abort.ts';
import { isClientError } from '../errors.ts';

export const CONFLICT_ATTEMPTS = 5;
const CONFLICT_PAUSE_MS = 10;

/** Runs `attempt` (which must re-read what it writes) until it does not end in 409, at most 5 times. */
export async function retryOnConflict<T>(
  attempt: (n: number) => Promise<T>,
  signal?: AbortSignal,
  random: () => number = Math.random,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= CONFLICT_ATTEMPTS || !isClientError(err, 'E_CONFLICT')) throw err;
      const site = { service: 'kubernetes', operation: 'retry on conflict' };
      await sleep(CONFLICT_PAUSE_MS * (1 + 0.1 * random()), site, signal);
    }
  }
}
