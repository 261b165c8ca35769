// Reads a target's SecretRef (Secrets Manager or environment) at run time; the value never goes to a log or detail.
import type { LuneoRun } from './context.ts';
import { luneo } from './context.ts';
import type { SecretRef } from './resources.ts';

/** The value, or why there is none (an unset variable): callers skip with that reason. */
export type SecretRead = { value: string } | { missing: string };

export async function readSecretRef(ctx: LuneoRun, ref: SecretRef): Promise<SecretRead> {
  if ('env' in ref) {
    const value = process.env[ref.env]?.trim();
    return value ? { value } : { missing: `environment variable ${ref.env} is not set` };
  }
  const l = await luneo(ctx);
  const secret = await l.aws.secrets(l.r.primary.region).getSecretValue(ref.secretId, { signal: ctx.signal });
  return secret.value.trim() === ''
    ? { missing: `secret ${ref.secretId} is empty` }
    : { value: secret.value.trim() };
}

/** How a SecretRef is named in plans and messages (never its value). */
export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `$${ref.env}` : `secret ${ref.secretId}`;
}
