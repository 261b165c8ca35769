// The SDK stubs of clients/testing.ts end with the suite that made them: unit test files share worker processes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../scripts/import-graph.ts';
import { mockClientInSuite } from './testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const realSend = STSClient.prototype.send;

describe('a suite that stubs the STS client class', () => {
  const sts = mockClientInSuite(STSClient);

  it('gets the stub from every STS client', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    const client = new STSClient({ region: 'eu-west-1' });
    await expect(client.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: '111122223333',
    });
  });
});

describe('after that suite', () => {
  it('the class sends for real again', () => {
    expect(Object.hasOwn(STSClient.prototype, 'send')).toBe(false);
    expect(STSClient.prototype.send).toBe(realSend);
  });

  it('no other file stubs SDK clients itself (such a stub outlives its file in a shared worker)', () => {
    const direct = sourceFiles(ROOT).filter(
      (file) =>
        file !== 'clients/testing.ts' &&
        /from ['"]aws-sdk-client-mock['"]/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(direct).toEqual([]);
  });
});
