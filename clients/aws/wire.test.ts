// The real SDK clients against an in-process HTTP endpoint: signing region, single retry layer, abort on the wire.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from './clients.ts';
import { AwsClientFactory } from './config.ts';

interface Seen {
  method: string;
  path: string;
  authorization: string;
  body: string;
}
const seen: Seen[] = [];
const closed: string[] = [];
let reply: (req: Seen) => { status: number; body: string; type?: string } | 'hang';
let server: Server;
let endpoint: string;

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const s: Seen = {
    method: req.method ?? '',
    path: req.url ?? '',
    authorization: String(req.headers.authorization ?? ''),
    body: Buffer.concat(chunks).toString(),
  };
  seen.push(s);
  const r = reply(s);
  if (r === 'hang') {
    res.on('close', () => closed.push(s.path));
    return;
  }
  res.writeHead(r.status, { 'Content-Type': r.type ?? 'text/xml' });
  res.end(r.body);
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen.length = 0;
  closed.length = 0;
});

const credentials = { accessKeyId: 'AKIDLAB', secretAccessKey: 'lab-secret' };
const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const globalClusterXml = `<DescribeGlobalClustersResponse xmlns="${RDS_NS}"><DescribeGlobalClustersResult><GlobalClusters><GlobalClusterMember>
<GlobalClusterIdentifier>luneo-prod-global</GlobalClusterIdentifier><GlobalClusterArn>arn:aws:rds::1:global-cluster:luneo-prod-global</GlobalClusterArn>
<Status>available</Status><GlobalClusterMembers><GlobalClusterMember><DBClusterArn>arn:aws:rds:eu-west-1:1:cluster:p</DBClusterArn><Readers/>
<IsWriter>true</IsWriter><SynchronizationStatus>connected</SynchronizationStatus></GlobalClusterMember></GlobalClusterMembers>
</GlobalClusterMember></GlobalClusters></DescribeGlobalClustersResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeGlobalClustersResponse>`;
const throttleXml = `<ErrorResponse xmlns="${RDS_NS}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r0</RequestId></ErrorResponse>`;

describe('AwsClientFactory', () => {
  it('builds one SDK client per (service, region)', () => {
    const factory = new AwsClientFactory({ region: 'eu-west-1', endpoint, credentials });
    expect(factory.rds()).toBe(factory.rds('eu-west-1'));
    expect(factory.rds('us-east-1')).not.toBe(factory.rds());
    expect(factory.route53()).toBe(factory.route53());
    expect(factory.size).toBe(3);
    factory.destroy();
    expect(factory.size).toBe(0);
  });

  it('validates its configuration with messages that say what to fix', () => {
    expect(() => new AwsClientFactory({ region: 'Paris' })).toThrow(
      'aws.region: expected a region like "eu-west-1", got "Paris"',
    );
    expect(() => new AwsClientFactory({ region: 'eu-west-1', endpoint: 'localhost:4566' })).toThrow(
      'aws.endpoint: expected a URL like "http://127.0.0.1:4566", got "localhost:4566"',
    );
    expect(() => new AwsClientFactory({ region: 'eu-west-1', maxAttempts: 0 })).toThrow(
      'aws.maxAttempts: expected an integer ≥ 1, got 0',
    );
  });
});

describe('on the wire', () => {
  it('signs Route 53 for us-east-1 whatever the default region, with the static credentials', async () => {
    reply = () => ({
      status: 200,
      body: `<GetHealthCheckResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HealthCheck><Id>hc1</Id><CallerReference>c</CallerReference>
<HealthCheckConfig><Type>HTTP</Type><Inverted>false</Inverted><Disabled>false</Disabled></HealthCheckConfig><HealthCheckVersion>2</HealthCheckVersion></HealthCheck></GetHealthCheckResponse>`,
    });
    const aws = new AwsClients({ region: 'eu-west-1', endpoint, credentials });
    expect(await aws.route53().getHealthCheck('hc1')).toMatchObject({
      id: 'hc1',
      version: 2,
      inverted: false,
    });
    expect(seen[0]!.path).toBe('/2013-04-01/healthcheck/hc1');
    expect(seen[0]!.authorization).toContain('Credential=AKIDLAB/');
    expect(seen[0]!.authorization).toContain('/us-east-1/route53/aws4_request');
    aws.destroy();
  });

  it('retries in one layer only: two throttles then success is exactly three requests', async () => {
    let n = 0;
    reply = () => (n++ < 2 ? { status: 400, body: throttleXml } : { status: 200, body: globalClusterXml });
    const aws = new AwsClients(
      { region: 'us-east-1', endpoint, credentials },
      { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    );
    const gc = await aws.rds().describeGlobalCluster('luneo-prod-global');
    expect(gc.members).toEqual([
      {
        clusterArn: 'arn:aws:rds:eu-west-1:1:cluster:p',
        clusterId: 'p',
        region: 'eu-west-1',
        isWriter: true,
        syncStatus: 'connected',
        readers: [],
      },
    ]);
    expect(seen).toHaveLength(3);
    expect(seen[0]!.body).toBe(
      'Action=DescribeGlobalClusters&Version=2014-10-31&GlobalClusterIdentifier=luneo-prod-global',
    );
    expect(seen[0]!.authorization).toContain('/us-east-1/rds/aws4_request');
    aws.destroy();
  });

  it('stops after maxAttempts from the config', async () => {
    reply = () => ({ status: 400, body: throttleXml });
    const aws = new AwsClients(
      { region: 'us-east-1', endpoint, credentials, maxAttempts: 2 },
      { retry: { baseDelayMs: 1 } },
    );
    await expect(aws.rds().describeGlobalCluster('g')).rejects.toMatchObject({
      code: 'E_THROTTLED',
      remoteCode: 'Throttling',
    });
    expect(seen).toHaveLength(2);
    aws.destroy();
  });

  it('aborting the signal aborts the HTTP request itself', async () => {
    reply = () => 'hang';
    const aws = new AwsClients({ region: 'us-east-1', endpoint, credentials });
    const controller = new AbortController();
    const pending = aws.rds().describeGlobalCluster('g', { signal: controller.signal });
    while (seen.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'E_ABORTED' });
    while (closed.length === 0) await new Promise((r) => setImmediate(r));
    expect(closed).toEqual(['/']);
    aws.destroy();
  });

  it('an answer that never comes fails the attempt after requestTimeoutMs and is retried (no hang)', async () => {
    let n = 0;
    reply = () => (n++ === 0 ? 'hang' : { status: 200, body: globalClusterXml });
    const aws = new AwsClients(
      { region: 'us-east-1', endpoint, credentials, requestTimeoutMs: 150 },
      { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    );
    const gc = await aws.rds().describeGlobalCluster('luneo-prod-global');
    expect(gc.id).toBe('luneo-prod-global');
    expect(seen).toHaveLength(2);
    expect(closed).toEqual(['/']);
    aws.destroy();
  });

  it('one attempt that times out is a retryable E_UNAVAILABLE naming the operation', async () => {
    reply = () => 'hang';
    const aws = new AwsClients(
      { region: 'us-east-1', endpoint, credentials, requestTimeoutMs: 100, maxAttempts: 1 },
      { retry: { baseDelayMs: 1 } },
    );
    await expect(aws.route53().waitForChange('C1', { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
      retryable: true,
      remoteCode: 'TimeoutError',
    });
    expect(seen.map((s) => s.path)).toEqual(['/2013-04-01/change/C1']);
    aws.destroy();
  });
});
