// One POST of JSON to a webhook: a bounded wait per attempt, one retry when the failure may pass (network, timeout,
// 429, 5xx). The URL is a secret (a Slack incoming webhook's path is its credential): no error here names it.
import { reasonOf } from './warn-once.ts';

export interface PostPolicy {
  /** Per attempt. */
  timeoutMs: number;
  /** Before the one retry. */
  retryDelayMs: number;
}

export const WEBHOOK_POLICY: PostPolicy = { timeoutMs: 4_000, retryDelayMs: 1_000 };

type Attempt = { ok: true } | { ok: false; retry: boolean; reason: string };

async function attempt(url: string, body: string, timeoutMs: number): Promise<Attempt> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await response.body?.cancel();
    if (response.ok) return { ok: true };
    return {
      ok: false,
      retry: response.status === 429 || response.status >= 500,
      reason: `HTTP ${response.status}`,
    };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return {
      ok: false,
      retry: true,
      reason: timedOut ? `no answer within ${timeoutMs} ms` : reasonOf(error),
    };
  }
}

/** Resolves with null when posted, else with why not (never rejects). */
export async function postJson(
  url: string,
  payload: unknown,
  policy: PostPolicy = WEBHOOK_POLICY,
): Promise<string | null> {
  const body = JSON.stringify(payload);
  const first = await attempt(url, body, policy.timeoutMs);
  if (first.ok) return null;
  if (!first.retry) return first.reason;
  await new Promise((resolve) => setTimeout(resolve, policy.retryDelayMs).unref());
  const second = await attempt(url, body, policy.timeoutMs);
  return second.ok ? null : `${first.reason}, then ${second.reason} on the retry`;
}
