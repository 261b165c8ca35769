import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../registry.ts';
import { resultJsonSchema, runResultSchema } from './result-schema.ts';

describe('result.json schema', () => {
  it('core/result-schema.json is the schema generated from the zod source (regenerate: pnpm drill schema)', () => {
    const committed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'core', 'result-schema.json'), 'utf8'));
    expect(committed).toEqual(resultJsonSchema());
  });

  it('rejects a result of another schema version', () => {
    const outcome = runResultSchema.safeParse({ schemaVersion: 3 });
    expect(outcome.success).toBe(false);
    expect(outcome.error?.issues[0]?.path).toEqual(['schemaVersion']);
  });
});
