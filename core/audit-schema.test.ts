import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ACTIONS_FILE } from './audit.ts';
import { actionsJsonSchema, auditLineSchema } from './audit-schema.ts';
import { SCHEMA_DOCUMENTS } from './cli/schema-documents.ts';
import { MASK, Redactor } from './redact.ts';
import { PROJECT_ROOT } from './registry.ts';
import { type SelfTestRun, selfTestRun } from './testing/self-test-run.ts';

const committed = () => JSON.parse(readFileSync(join(PROJECT_ROOT, SCHEMA_DOCUMENTS.actions.file), 'utf8'));

describe('actions.jsonl schema', () => {
  let run: SelfTestRun;
  let text: string;
  let lines: Record<string, unknown>[];
  beforeAll(async () => {
    run = await selfTestRun();
    text = readFileSync(join(run.runDir, ACTIONS_FILE), 'utf8');
    lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  });
  const secretLine = () => {
    const line = lines.find(
      (l) => (l.params as Record<string, unknown> | undefined)?.SecretString !== undefined,
    );
    if (!line) throw new Error('the self-test wrote no SecretString parameter');
    return line;
  };

  it('core/actions-schema.json is the schema generated from the zod source (regenerate: pnpm drill schema actions > core/actions-schema.json)', () => {
    expect(committed()).toEqual(actionsJsonSchema());
  });

  it('every line a real self-test run wrote is valid, under the zod source and under the committed JSON Schema', () => {
    expect(run.result.verdict).toBe('passed');
    expect(new Set(lines.map((l) => l.event))).toEqual(new Set(['before', 'after']));
    const published = z.fromJSONSchema(committed());
    for (const line of lines) {
      expect(auditLineSchema.safeParse(line).error?.issues).toBeUndefined();
      expect(published.safeParse(line).error?.issues).toBeUndefined();
    }
  });

  it('the secret the run wrote into a parameter reads as the mask, and the password is nowhere in the file', () => {
    expect((secretLine().params as Record<string, unknown>).SecretString).toBe(MASK);
    expect(text).not.toContain(run.dbPassword);
  });

  it('rejects a line without its event, naming the field', () => {
    const { event: _dropped, ...broken } = secretLine();
    const outcome = auditLineSchema.safeParse(broken);
    expect(outcome.error?.issues.map((i) => i.path)).toEqual([['event']]);
    expect(z.fromJSONSchema(committed()).safeParse(broken).success).toBe(false);
  });

  it('accepts what the redactor writes for secrets, nested or null', () => {
    const params = {
      Nested: [{ MasterUserPassword: null, Credentials: { AccessKeyId: 'AKIA' } }],
      SecretId: 'x',
    };
    const line = { ...secretLine(), params };
    expect(auditLineSchema.safeParse(new Redactor().redact(line)).error?.issues).toBeUndefined();
    expect(auditLineSchema.safeParse(line).error?.issues.map((i) => i.path)).toEqual([
      ['params', 'Nested', 0, 'Credentials'],
    ]);
  });

  it('rejects a line that carries a secret in clear, naming the parameter', () => {
    const line = secretLine();
    const leaked = {
      ...line,
      params: { ...(line.params as object), SecretString: `postgres://u:${run.dbPassword}@h/db` },
    };
    const outcome = auditLineSchema.safeParse(leaked);
    expect(outcome.error?.issues.map((i) => i.path)).toEqual([['params', 'SecretString']]);
  });
});
