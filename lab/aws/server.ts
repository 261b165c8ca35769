// One local HTTP endpoint for RDS, Route 53, FIS, Secrets Manager, CloudWatch and STS, speaking their real
// wire protocols over the lab backend. Any AWS SDK or the AWS CLI works against it with --endpoint-url.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Region } from '../regions.ts';
import type { AwsLabBackend } from './backend.ts';
import { CloudWatchService } from './cloudwatch/service.ts';
import {
  type ConformanceMode,
  type ConformanceReport,
  conformanceModeFromEnv,
  conformanceRecorder,
} from './conformance/recorder.ts';
import type { AwsContext, AwsReply, AwsRequest } from './context.ts';
import { type CacheSeed, GlobalDatastore, type LabCache } from './elasticache/global-datastore.ts';
import { ELASTICACHE_NAMESPACE, ELASTICACHE_VERSION, handleElastiCache } from './elasticache/handlers.ts';
import { type ControlPlaneFaults, FaultDice } from './faults.ts';
import { FisService } from './fis/service.ts';
import { IAM_NAMESPACE, IAM_VERSION, IamSimulator } from './iam/simulator.ts';
import { AwsError, requestId, toAwsError } from './protocol/errors.ts';
import { awsJsonError, restJsonError } from './protocol/json.ts';
import { QueryParams, queryError, queryResponse } from './protocol/query.ts';
import { queryToObject, toJsonWire, toQueryXml } from './protocol/shapes.ts';
import { type AuthFamily, signatureError } from './protocol/sigv4-errors.ts';
import { signingScope } from './protocol/sigv4-region.ts';
import { type LabCredentials, verifySigV4 } from './protocol/sigv4-verify.ts';
import { GlobalCluster } from './rds/global-cluster.ts';
import { handleRds, RDS_NAMESPACE } from './rds/handlers.ts';
import { Route53Service } from './route53/service.ts';
import { type S3Parts, S3Service } from './s3/service.ts';
import { SecretsService } from './secrets.ts';
import type { AwsSeed } from './seed.ts';
import { SERVICE_QUOTAS_TARGET, ServiceQuotas } from './service-quotas.ts';
import { handleSts, STS_NAMESPACE } from './sts.ts';
import { handleTagging, TAGGING_TARGET } from './tagging.ts';

export type { AwsSeed } from './seed.ts';

export interface AwsServerOptions {
  backend: AwsLabBackend;
  /** Default: a free port picked by the kernel. */
  port?: number;
  seed: AwsSeed;
  /** How often health checkers probe. Default 1000. */
  healthCheckIntervalMs?: number;
  /** Consecutive probe results needed to flip a seeded health check. Default 2. */
  failureThreshold?: number;
  /** Time before a Route 53 change is INSYNC and visible to resolve(). Default 1500. */
  changePropagationMs?: number;
  /** How often metrics are sampled and alarms evaluated. Default 1000. */
  metricsIntervalMs?: number;
  /** The lab's Redis pair as an ElastiCache Global Datastore; without it ElastiCache calls are invalid actions. */
  cache?: { backend: LabCache; seed: CacheSeed };
  /** S3 buckets and their replication (lab/aws/s3/lab-s3.ts); without it S3 calls are unknown operations. */
  s3?: S3Parts;
  log?: (line: string) => void;
  /** Check every exchange against the AWS service models (lab/aws/conformance): 'record' keeps violations,
   *  'enforce' also answers a violating exchange with HTTP 500. Default: LAB_AWS_CONFORMANCE, else off. */
  conformance?: ConformanceMode;
  /** The lab's access keys: when given, every request must carry a valid SigV4 signature by one of them
   *  (lab/aws/protocol/sigv4-verify.ts), as AWS requires; without them signatures are not checked. */
  credentials?: LabCredentials[];
}

export interface AwsServer {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** What the public edge asks: the answer a resolver gets for `name` now (failover applied), with its TTL. */
  resolve(name: string): { value: string; ttl: number; setIdentifier: string; region: Region } | null;
  /** Counts of mutating calls actually applied, by operation (e.g. { FailoverGlobalCluster: 1 }). */
  mutationCounts(): Record<string, number>;
  /** Control-plane faults for safety tests: answer a share of calls with throttling, 5xx or timeouts, or
   *  lose the answer of a share of applied mutations. */
  setControlPlaneFaults(f: ControlPlaneFaults | null): void;
  /** The drill role's identity policy (an IAM policy document) that SimulatePrincipalPolicy evaluates;
   *  null restores the default (lab/aws/iam/drill-role-policy.json). Throws on a malformed document. */
  setDrillRolePolicy(document: unknown | null): void;
  /** This account's applied value of a Service Quotas quota in a region (FIS honours it); null: the default. */
  setAppliedQuota(region: string, code: string, value: number | null): void;
  healthCheckIds(): { primary: string; secondary?: string };
  zoneId(): string;
  /** What the conformance check saw (empty when it is off). */
  conformance(): ConformanceReport;
  close(): Promise<void>;
}

const CLOUDWATCH_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const JSON_10 = 'application/x-amz-json-1.0';
const JSON_11 = 'application/x-amz-json-1.1';

/** How to run one request and how to render an error in its service's wire shape. */
interface Route {
  label: string;
  run(): Promise<AwsReply>;
  fail(error: AwsError): AwsReply;
  throttleCode: string;
  throttleStatus?: number;
  /** How the service refuses a bad signature, and the signing name its requests must be scoped to. */
  auth: { family: AuthFamily; service?: string };
}

function xmlReply(reply: { status: number; contentType: string; body: string }, id: string): AwsReply {
  return {
    status: reply.status,
    headers: { 'content-type': reply.contentType, 'x-amzn-requestid': id },
    body: reply.body,
  };
}

export async function startAwsServer(opts: AwsServerOptions): Promise<AwsServer> {
  const log = opts.log ?? (() => {});
  const counts: Record<string, number> = {};
  const quotas = new ServiceQuotas(opts.backend.accountId);
  const ctx: AwsContext = {
    backend: opts.backend,
    accountId: opts.backend.accountId,
    fisQuotas: (region) => quotas.fisQuotas(region),
    mutated: (operation) => {
      counts[operation] = (counts[operation] ?? 0) + 1;
    },
    log,
  };
  const global = new GlobalCluster(ctx, {
    globalClusterId: opts.seed.globalClusterId,
    clusters: opts.seed.clusters,
  });
  const route53 = new Route53Service(ctx, opts.seed, {
    intervalMs: opts.healthCheckIntervalMs ?? 1000,
    failureThreshold: opts.failureThreshold ?? 2,
    propagationMs: opts.changePropagationMs ?? 1500,
  });
  const secrets = new SecretsService(
    ctx,
    opts.seed.secrets,
    opts.seed.secretPlacement ?? {
      primary: opts.seed.failoverRecords.primary.region,
      replicas: [opts.seed.failoverRecords.secondary.region],
    },
  );
  const cloudwatch = new CloudWatchService(
    ctx,
    opts.seed,
    route53.checkers,
    route53.healthCheckIds().primary,
  );
  const fis = new FisService(ctx, cloudwatch.alarms);
  const s3 = opts.s3 ? new S3Service(ctx, opts.s3) : undefined;
  const datastore = opts.cache ? new GlobalDatastore(ctx, opts.cache.backend, opts.cache.seed) : undefined;
  const dice = new FaultDice();
  const iam = new IamSimulator(ctx.accountId, ctx.mutated);
  const totalMutations = () => Object.values(counts).reduce((a, b) => a + b, 0);
  const held = new Set<ServerResponse>();
  const conformance = conformanceRecorder(
    opts.conformance ?? conformanceModeFromEnv(),
    process.env.LAB_AWS_CONFORMANCE_LOG,
  );

  function queryRoute(params: QueryParams, request: AwsRequest): Route {
    const id = requestId();
    const version = params.version;
    const service =
      version === '2014-10-31'
        ? 'rds'
        : version === '2011-06-15'
          ? 'sts'
          : version === '2010-08-01'
            ? 'monitoring'
            : version === ELASTICACHE_VERSION
              ? 'elasticache'
              : version === IAM_VERSION
                ? 'iam'
                : request.signingService;
    const namespace =
      service === 'rds'
        ? RDS_NAMESPACE
        : service === 'sts'
          ? STS_NAMESPACE
          : service === 'elasticache'
            ? ELASTICACHE_NAMESPACE
            : service === 'iam'
              ? IAM_NAMESPACE
              : CLOUDWATCH_NAMESPACE;
    const fail = (error: AwsError) => xmlReply(queryError(error, namespace, id), id);
    const label = `${service}.${params.action}`;
    const run = async (): Promise<AwsReply> => {
      const action = params.action ?? '';
      let result: string;
      if (service === 'rds') result = await handleRds(ctx, global, params, request.region);
      else if (service === 'sts') result = handleSts(ctx, params);
      else if (service === 'iam') result = iam.handle(params);
      else if (service === 'elasticache' && datastore)
        result = await handleElastiCache(datastore, params, request.region);
      else if (service === 'monitoring')
        result = toQueryXml(cloudwatch.handle(action, queryToObject(params.values), request.region));
      else
        throw new AwsError(
          'InvalidAction',
          400,
          `Unknown query API version ${version ?? '(none)'} for action ${action}.`,
        );
      return xmlReply(queryResponse(action, namespace, result, id), id);
    };
    const auth = { family: 'query' as const, ...(params.action && version ? { service } : {}) };
    return { label, run, fail, throttleCode: 'Throttling', auth };
  }

  function jsonRoute(target: string, request: AwsRequest): Route {
    const [prefix, operation = ''] = target.split('.');
    const parse = () =>
      (request.body.length > 0 ? JSON.parse(request.body.toString('utf8')) : {}) as Record<string, unknown>;
    if (prefix === 'secretsmanager') {
      const fail = (e: AwsError) => awsJsonError(e, JSON_11);
      const run = async () => ({
        status: 200,
        headers: { 'content-type': JSON_11 },
        body: JSON.stringify(secrets.handle(operation, parse(), request.region)),
      });
      return {
        label: `secretsmanager.${operation}`,
        run,
        fail,
        throttleCode: 'ThrottlingException',
        auth: { family: 'json', service: 'secretsmanager' },
      };
    }
    // Read-only JSON 1.1 services the drill's preflight asks: Service Quotas and the tagging API.
    const readOnly: Record<
      string,
      { label: string; service: string; handle: () => Record<string, unknown> }
    > = {
      [SERVICE_QUOTAS_TARGET]: {
        label: 'servicequotas',
        service: 'servicequotas',
        handle: () => quotas.handle(operation, parse(), request.region),
      },
      [TAGGING_TARGET]: {
        label: 'tagging',
        service: 'tagging',
        handle: () => handleTagging(operation, parse(), request.region, opts.backend.resources()),
      },
    };
    const served = readOnly[prefix ?? ''];
    if (served) {
      return {
        label: `${served.label}.${operation}`,
        run: async () => ({
          status: 200,
          headers: { 'content-type': JSON_11 },
          body: JSON.stringify(served.handle()),
        }),
        fail: (e: AwsError) => awsJsonError(e, JSON_11),
        throttleCode: 'ThrottlingException',
        auth: { family: 'json', service: served.service },
      };
    }
    const fail = (e: AwsError) =>
      awsJsonError(e, JSON_10, { typePrefix: 'com.amazonaws.cloudwatch#', queryCompatible: true });
    if (prefix === 'GraniteServiceVersion20100801') {
      const run = async () => ({
        status: 200,
        headers: { 'content-type': JSON_10 },
        body: JSON.stringify(toJsonWire(cloudwatch.handle(operation, parse(), request.region))),
      });
      return {
        label: `monitoring.${operation}`,
        run,
        fail,
        throttleCode: 'Throttling',
        auth: { family: 'json', service: 'monitoring' },
      };
    }
    const run = async (): Promise<AwsReply> => {
      throw new AwsError('UnknownOperationException', 400, `The lab serves no JSON target ${target}.`);
    };
    return {
      label: target,
      run,
      fail: (e) => awsJsonError(e, JSON_10),
      throttleCode: 'ThrottlingException',
      auth: { family: 'json' },
    };
  }

  function route(request: AwsRequest): Route {
    // S3 is recognised by its signing scope: its paths are bucket names, which may look like any other route.
    if (s3 && request.signingService === 's3') {
      return {
        label: `s3 ${request.method} ${request.path}${request.query.size ? `?${[...request.query.keys()].join('&')}` : ''}`,
        run: () => s3.handle(request),
        fail: (e) => s3.fail(e, request),
        throttleCode: 'SlowDown',
        throttleStatus: 503,
        auth: { family: 's3', service: 's3' },
      };
    }
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') return jsonRoute(target, request);
    if (request.path.startsWith('/2013-04-01/')) {
      return {
        label: `route53 ${request.method} ${request.path}`,
        run: () => route53.handle(request),
        fail: (e) =>
          xmlReply(queryError(e, 'https://route53.amazonaws.com/doc/2013-04-01/', requestId()), ''),
        throttleCode: 'Throttling',
        auth: { family: 'rest-xml', service: 'route53' },
      };
    }
    if (/^\/(experimentTemplates|experiments|targetResourceTypes|actions|tags)(\/|$)/.test(request.path)) {
      return {
        label: `fis ${request.method} ${request.path}`,
        run: () => fis.handle(request),
        fail: restJsonError,
        throttleCode: 'ThrottlingException',
        throttleStatus: 429,
        auth: { family: 'rest-json', service: 'fis' },
      };
    }
    const body = request.body.toString('utf8');
    if (request.method === 'POST' && /(^|&)Action=/.test(body))
      return queryRoute(new QueryParams(body), request);
    if (request.method === 'GET' && request.query.has('Action'))
      return queryRoute(new QueryParams(request.query.toString()), request);
    return {
      label: `${request.method} ${request.path}`,
      run: async () => {
        throw new AwsError(
          'UnknownOperationException',
          400,
          `The lab AWS endpoint does not serve ${request.method} ${request.path}.`,
        );
      },
      fail: restJsonError,
      throttleCode: 'ThrottlingException',
      auth: { family: 'rest-json' },
    };
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scope = signingScope(req.headers.authorization, url.searchParams);
    const request: AwsRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
      region: scope.region,
      signingService: scope.service,
    };
    // A region in an outage: its endpoints take the request and never answer, as a dark region's do (the SDK
    // sees its request time out). Nothing is applied.
    if (opts.backend.controlPlaneReachable?.(request.region, request.signingService) === false) {
      log(
        `aws: ${request.region} ${request.signingService ?? '-'} ${request.method} ${request.path}: no answer (region outage)`,
      );
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const r = route(request);
    const refusal = opts.credentials
      ? await verifySigV4({ ...request, rawPath: url.pathname }, opts.credentials, r.auth.service)
      : null;
    if (refusal) {
      const reply = checkConformance(request, url, r.fail(signatureError(refusal, r.auth.family)));
      log(`aws: ${request.region} ${r.label} → ${reply.status} (signature refused: ${refusal.kind})`);
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
      return;
    }
    const decision = dice.roll();
    const mutationsBefore = totalMutations();
    let reply: AwsReply;
    if (decision === 'throttle')
      reply = r.fail(
        new AwsError(r.throttleCode, r.throttleStatus ?? 400, 'Rate exceeded (lab control-plane fault).'),
      );
    else if (decision === 'error')
      reply = r.fail(
        new AwsError('ServiceUnavailable', 503, 'Service unavailable (lab control-plane fault).'),
      );
    else {
      try {
        reply = await r.run();
      } catch (error) {
        reply = r.fail(toAwsError(error));
      }
    }
    log(
      `aws: ${request.region} ${r.label} → ${reply.status}${decision === 'none' ? '' : ` (fault: ${decision})`}`,
    );
    if (decision !== 'timeout') reply = checkConformance(request, url, reply);
    if (decision === 'none' && totalMutations() > mutationsBefore && dice.loseAnswer()) {
      log(`aws: ${request.region} ${r.label}: applied, answer lost (fault: lost-answer)`);
      res.destroy();
      return;
    }
    if (decision === 'timeout') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  }

  function checkConformance(request: AwsRequest, url: URL, reply: AwsReply): AwsReply {
    if (conformance.mode === 'off') return reply;
    const violations = conformance.record({ ...request, rawPath: url.pathname, reply });
    if (violations.length === 0) return reply;
    const lines = violations.map((v) => `${v.operation} ${v.message} ${v.path}: ${v.problem}`);
    for (const line of lines) log(`aws: conformance: ${line}`);
    if (conformance.mode !== 'enforce') return reply;
    return {
      status: 500,
      headers: { 'content-type': 'text/plain' },
      body: `lab AWS conformance violation (LAB_AWS_CONFORMANCE=enforce):\n${lines.join('\n')}\n`,
    };
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      log(`aws: internal error: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'internal error in the lab AWS endpoint' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  route53.start();
  cloudwatch.start(opts.metricsIntervalMs ?? 1000);
  log(`aws: listening on http://127.0.0.1:${port}`);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    resolve: (name) => route53.resolve(name),
    mutationCounts: () => ({ ...counts }),
    setControlPlaneFaults: (f) => dice.set(f),
    setDrillRolePolicy: (document) => iam.setPolicy(document),
    setAppliedQuota: (region, code, value) => quotas.setApplied(region, code, value),
    healthCheckIds: () => route53.healthCheckIds(),
    zoneId: () => route53.zone.id,
    conformance: () => conformance.report(),
    async close() {
      route53.stop();
      cloudwatch.stop();
      await fis.shutdown();
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
