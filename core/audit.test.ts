import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileAuditLog } from './audit.ts';
import { Redactor } from './redact.ts';

const call = {
  service: 'secretsmanager',
  operation: 'PutSecretValue',
  scope: 'us-east-1',
  mutating: true,
  params: { SecretId: 'DATABASE_URL', SecretString: 'postgres://u:pw@h/db' },
};

function log(dryRun: boolean) {
  const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'actions.jsonl');
  const audit = new FileAuditLog({ file, redactor: new Redactor(), dryRun }).bind({
    phase: 'failover',
    stepId: 'put',
  });
  const lines = () =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { audit, lines };
}

describe('FileAuditLog', () => {
  it('writes a line before the call and one after with its outcome, secrets redacted', async () => {
    const { audit, lines } = log(false);
    let linesDuringCall = 0;
    const value = await audit.mutate(call, async () => {
      linesDuringCall = lines().length;
      return 42;
    });
    expect(value).toBe(42);
    expect(linesDuringCall).toBe(1);
    const [before, after] = lines();
    expect(before).toMatchObject({
      seq: 1,
      event: 'before',
      operation: 'PutSecretValue',
      phase: 'failover',
      stepId: 'put',
    });
    expect(before?.params).toEqual({ SecretId: 'DATABASE_URL', SecretString: '***' });
    expect(after).toMatchObject({ seq: 2, event: 'after', outcome: 'ok' });
  });

  it('records the error of a failed call and rethrows it', async () => {
    const { audit, lines } = log(false);
    await expect(
      audit.mutate(call, async () => {
        throw new Error('AccessDenied for postgres://u:pw@h/db');
      }),
    ).rejects.toThrow('AccessDenied');
    expect(lines()[1]).toMatchObject({
      event: 'after',
      outcome: 'error',
      error: 'AccessDenied for postgres://u:***@h/db',
    });
  });

  it('in a dry run records the call as planned and never performs it', async () => {
    const { audit, lines } = log(true);
    let performed = false;
    const value = await audit.mutate(call, async () => {
      performed = true;
      return 1;
    });
    expect(performed).toBe(false);
    expect(value).toBeUndefined();
    expect(lines().map((l) => l.event)).toEqual(['planned']);
  });
});
