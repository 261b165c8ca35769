import { describe, expect, it } from 'vitest';
import { isSecretKey, REDACTOR_STATE_KEY, Redactor, registerSecret } from './redact.ts';

describe('Redactor', () => {
  it('masks passwords in URLs', () => {
    expect(new Redactor().redactText('connect postgres://luneo:s3cr3t@db.eu:5432/luneo now')).toBe(
      'connect postgres://luneo:***@db.eu:5432/luneo now',
    );
  });

  it('masks values of secret-named keys, deeply, and keeps ids readable', () => {
    const out = new Redactor().redact({
      SecretId: 'prod/DATABASE_URL',
      SecretString: 'x',
      params: [{ MasterUserPassword: 'p', sessionToken: 't', credentials: { a: 1 }, passed: true }],
    });
    expect(out).toEqual({
      SecretId: 'prod/DATABASE_URL',
      SecretString: '***',
      params: [{ MasterUserPassword: '***', sessionToken: '***', credentials: '***', passed: true }],
    });
  });

  it('masks literal secrets registered at runtime, wherever they appear', () => {
    const redactor = new Redactor();
    const state = new Map<string, unknown>([[REDACTOR_STATE_KEY, redactor]]);
    registerSecret(state, 'hunter2-token');
    expect(redactor.redactText('token=hunter2-token; again hunter2-token')).toBe('token=***; again ***');
    expect(redactor.redact({ note: 'uses hunter2-token' })).toEqual({ note: 'uses ***' });
  });

  it('ignores secrets too short to mask safely', () => {
    const redactor = new Redactor();
    redactor.addSecret('ab');
    expect(redactor.redactText('about')).toBe('about');
  });

  it('recognises secret keys by their ending', () => {
    expect(
      ['password', 'db_password', 'SecretAccessKey', 'apiKey', 'Authorization'].map(isSecretKey),
    ).toEqual([true, true, true, true, true]);
    expect(['SecretId', 'tokenCount', 'passed', 'region'].map(isSecretKey)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
