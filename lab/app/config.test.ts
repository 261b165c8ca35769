import { describe, expect, it } from 'vitest';
import { parseFlag, readAwsEnv, readPodEnv } from './config.ts';
import { classifyDbError } from './db.ts';
import { describeDatabaseUrl } from './secret.ts';

describe('readPodEnv', () => {
  it('reads identity, version and dr_mode from the pod environment', () => {
    expect(
      readPodEnv({
        PORT: '8080',
        REGION: 'us-east-1',
        POD_NAME: 'luneo-api-1',
        APP_VERSION: '2.4.1',
        dr_mode: 'true',
      }),
    ).toEqual({ port: 8080, region: 'us-east-1', pod: 'luneo-api-1', version: '2.4.1', drMode: true });
  });

  it('treats an absent dr_mode as false', () => {
    expect(readPodEnv({ PORT: '1', REGION: 'eu-west-1', POD_NAME: 'p' }).drMode).toBe(false);
  });

  it('names every missing variable and rejects a bad port', () => {
    expect(() => readPodEnv({ PORT: '1' })).toThrow('missing environment variable(s): REGION, POD_NAME');
    expect(() => readPodEnv({ PORT: 'http', REGION: 'r', POD_NAME: 'p' })).toThrow(
      'PORT must be an integer 0-65535, got "http"',
    );
  });
});

describe('readAwsEnv', () => {
  it('reads the endpoint, region and secret id', () => {
    expect(
      readAwsEnv({
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        AWS_REGION: 'eu-west-1',
        DATABASE_URL_SECRET_ID: 'prod/luneo/DATABASE_URL',
      }),
    ).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-1',
      databaseUrlSecretId: 'prod/luneo/DATABASE_URL',
    });
    expect(() => readAwsEnv({ AWS_REGION: 'eu-west-1' })).toThrow(
      'missing environment variable(s): DATABASE_URL_SECRET_ID',
    );
  });
});

describe('parseFlag', () => {
  it('reads the usual spellings of true', () => {
    expect(['true', 'TRUE', '1', 'yes', 'on', ' true '].map(parseFlag)).toEqual(Array(6).fill(true));
    expect(['false', '0', '', 'no', undefined].map(parseFlag)).toEqual(Array(5).fill(false));
  });
});

describe('describeDatabaseUrl', () => {
  it('keeps host, port and database name, never the credentials', () => {
    const location = describeDatabaseUrl('postgres://luneo:s3cr3t@127.0.0.1:54321/luneo');
    expect(location).toEqual({ host: '127.0.0.1:54321', name: 'luneo' });
    expect(JSON.stringify(location)).not.toContain('s3cr3t');
    expect(describeDatabaseUrl('postgresql://u:p@db.internal/app')).toEqual({
      host: 'db.internal:5432',
      name: 'app',
    });
  });
});

describe('classifyDbError', () => {
  it('tells read-only from unreachable from other failures', () => {
    expect(
      classifyDbError(
        Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' }),
      ),
    ).toBe('read_only');
    expect(
      classifyDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' })),
    ).toBe('unreachable');
    expect(
      classifyDbError(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ).toBe('unreachable');
    expect(classifyDbError(new Error('timeout exceeded when trying to connect'))).toBe('unreachable');
    expect(classifyDbError(new Error('Query read timeout'))).toBe('unreachable');
    expect(classifyDbError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('other');
  });
});
