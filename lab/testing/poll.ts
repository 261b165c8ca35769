// Poll until a check passes, with stepped backoff, and say what we waited for on timeout (no fixed sleeps).
import { setTimeout as sleep } from 'node:timers/promises';

const STEPS_MS = [50, 100, 250, 500];

export class WaitTimeoutError extends Error {
  readonly code = 'WaitTimeout';
}

/**
 * Calls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`
 * with the last reason (the last thrown error or the last falsy result).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; maxIntervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxInterval = opts.maxIntervalMs ?? 500;
  const deadline = Date.now() + timeoutMs;
  let last = 'never checked';
  for (let attempt = 0; ; attempt++) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
      last = `last result: ${String(value)}`;
    } catch (error) {
      last = `last error: ${(error as Error).message}`;
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
    }
    const step = STEPS_MS[Math.min(attempt, STEPS_MS.length - 1)] as number;
    await sleep(Math.min(step, maxInterval, Math.max(1, deadline - Date.now())));
  }
}

/** Whether a process exists (a zombie counts as alive until reaped). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
