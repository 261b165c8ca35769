// A tiny Secrets Manager stand-in for lab tests: awsJson1_1 GetSecretValue over POST /.
import { createServer, type Server } from 'node:http';
import { listen } from '../http/server.ts';

export interface SecretsStub {
  endpoint: string;
  /** GetSecretValue calls answered, by secret id. */
  reads: Map<string, number>;
  setSecret(id: string, value: string): void;
  close(): Promise<void>;
}

export async function startSecretsStub(secrets: Record<string, string>): Promise<SecretsStub> {
  const store = new Map(Object.entries(secrets));
  const reads = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        reply(400, {
          __type: 'UnknownOperationException',
          Message: `unsupported: ${req.headers['x-amz-target']}`,
        });
        return;
      }
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
      const value = store.get(SecretId);
      if (value === undefined) {
        reply(400, {
          __type: 'ResourceNotFoundException',
          Message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      reads.set(SecretId, (reads.get(SecretId) ?? 0) + 1);
      reply(200, {
        ARN: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${SecretId}-AbCdEf`,
        Name: SecretId,
        VersionId: 'lab-version-1',
        SecretString: value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1763632800.123,
      });
    });
  });
  const port = await listen(server, 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    reads,
    setSecret: (id, value) => store.set(id, value),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
