// Reads a target's SecretRef (Secrets Manager or environment) at run time; the value never goes to a log or detail.
import type { SecretValue } from '../../clients/aws/secrets.ts';
import type { LuneoRun } from './context.ts';
import { luneo, PROBE_READ } from './context.ts';
import type { SecretRef } from './resources.ts';

/** The value, or why there is none (an unset variable): callers skip with that reason. */
export type SecretRead = { value: string } | { missing: string };

export async function readSecretRef(ctx: LuneoRun, ref: SecretRef): Promise<SecretRead> {
  if ('env' in ref) {
    const value = process.env[ref.env]?.trim();
    return value ? { value } : { missing: `environment variable ${ref.env} is not set` };
  }
  const secret = await readFromEitherRegion(ctx, ref.secretId);
  return secret.value.trim() === ''
    ? { missing: `secret ${ref.secretId} is empty` }
    : { value: secret.value.trim() };
}

/**
 * A replicated secret from whichever region answers first (both copies hold the same value): in a regional
 * outage the primary region's Secrets Manager does not answer at all, and the comms must still go out.
 */
async function readFromEitherRegion(ctx: LuneoRun, secretId: string): Promise<SecretValue> {
  const l = await luneo(ctx);
  const settled = new AbortController();
  const signal = AbortSignal.any([ctx.signal, settled.signal]);
  const reads = [l.r.primary.region, l.r.secondary.region].map((region) =>
    l.aws.secrets(region).getSecretValue(secretId, { signal, ...PROBE_READ }),
  );
  try {
    return await Promise.any(reads);
  } catch (error) {
    throw (error as AggregateError).errors[0];
  } finally {
    settled.abort(); // the slower region's read is not needed any more
  }
}

/** How a SecretRef is named in plans and messages (never its value). */
export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `$${ref.env}` : `secret ${ref.secretId}`;
}
