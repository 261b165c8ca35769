// One line of actions.jsonl, versioned by its fields. This zod schema is the source of the AuditLine type (core/audit.ts)
// and of core/actions-schema.json (`pnpm drill schema actions > core/actions-schema.json`); a test keeps them equal.
import { z } from 'zod';
import { isSecretKey, MASK } from './redact.ts';

/** Every secret-named key anywhere under `value` holds the mask (core/redact.ts): a line that carries a secret is invalid. */
function secretKeysMasked(value: unknown, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) secretKeysMasked(item, [...path, i], ctx);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    // The redactor leaves a null secret as it is: nothing to hide.
    if (isSecretKey(key) && item !== MASK && item !== null) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, key],
        message: `${key} is a secret: it must read "${MASK}"`,
      });
    } else secretKeysMasked(item, [...path, key], ctx);
  }
}

export const auditLineSchema = z
  .strictObject({
    /** 1, 2, 3… across the whole run (rollback included). */
    seq: z.number().int().positive(),
    at: z.iso.datetime(),
    /** before/after a mutating call; planned: a dry run lists the call and makes none. */
    event: z.enum(['before', 'after', 'planned']),
    service: z.string(),
    operation: z.string(),
    scope: z.string().optional(),
    /** The call's parameters, redacted: every secret-named key (password, SecretString, token…) reads "***". */
    params: z.record(z.string(), z.json()).optional(),
    phase: z.string().optional(),
    stepId: z.string().optional(),
    outcome: z.enum(['ok', 'error']).optional(),
    error: z.string().optional(),
    durationMs: z.number().optional(),
  })
  .superRefine((line, ctx) => secretKeysMasked(line.params, ['params'], ctx));

export type AuditLine = z.infer<typeof auditLineSchema>;

/** The JSON Schema of one actions.jsonl line (core/actions-schema.json). */
export function actionsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(auditLineSchema),
    $id: 'https://luneo.app/drill/actions-schema.json',
    title: 'drill audit log line (one line of actions.jsonl)',
    description: `One mutating call, before and after, or planned in a dry run. Secrets are redacted: every secret-named key under params reads "${MASK}".`,
  } as Record<string, unknown>;
}
