// One local HTTP endpoint for RDS, Route 53, FIS, Secrets Manager, CloudWatch and STS, speaking their real
// wire protocols over the lab backend. Any AWS SDK or the AWS CLI works against it with --endpoint-url.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Region } from '../regions.ts';
import type { AwsLabBackend } from './backend.ts';
import { cloudWatchService } from './cloudwatch/binding.ts';
import { CloudWatchService } from './cloudwatch/service.ts';
import {
  type ConformanceMode,
  type ConformanceReport,
  conformanceModeFromEnv,
  conformanceRecorder,
} from './conformance/recorder.ts';
import type { AwsContext, AwsReply, AwsRequest } from './context.ts';
import { elastiCacheService } from './elasticache/binding.ts';
import { type CacheSeed, GlobalDatastore, type LabCache } from './elasticache/global-datastore.ts';
import { type ControlPlaneFaults, FaultDice } from './faults.ts';
import { fisService } from './fis/binding.ts';
import { FisService } from './fis/service.ts';
import { enforcedFromEnv, IamAuthorizer } from './iam/authorize.ts';
import { iamService } from './iam/binding.ts';
import { DRILL_ROLE_NAME } from './iam/drill-role.ts';
import { IamSimulator } from './iam/simulator.ts';
import { serviceQuotasService, taggingService } from './preflight-bindings.ts';
import { AwsError, toAwsError } from './protocol/errors.ts';
import { signatureError } from './protocol/sigv4-errors.ts';
import { signingScope } from './protocol/sigv4-region.ts';
import { type LabCredentials, verifySigV4 } from './protocol/sigv4-verify.ts';
import { rdsService } from './rds/binding.ts';
import { GlobalCluster } from './rds/global-cluster.ts';
import { route53Service } from './route53/binding.ts';
import { Route53Service } from './route53/service.ts';
import { s3Service } from './s3/binding.ts';
import { type S3Parts, S3Service } from './s3/service.ts';
import { SecretsService } from './secrets.ts';
import { secretsManagerService } from './secrets-binding.ts';
import type { AwsSeed } from './seed.ts';
import { ServiceQuotas } from './service-quotas.ts';
import { type LabAwsService, routeRequest } from './service-registry.ts';
import { stsService } from './sts-binding.ts';

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
  /** Enforce IAM on every call of the drill role (lab/aws/iam/authorize.ts). Default: LAB_AWS_IAM_ENFORCE, else off. */
  enforceIam?: boolean;
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
  /** Whether every call of the drill role is authorized against that policy, as AWS does (off: only simulated). */
  setIamEnforcement(on: boolean): void;
  /** This account's applied value of a Service Quotas quota in a region (FIS honours it); null: the default. */
  setAppliedQuota(region: string, code: string, value: number | null): void;
  healthCheckIds(): { primary: string; secondary?: string };
  zoneId(): string;
  /** Resolves true once the secondary cluster has published its first AuroraGlobalDBRPOLag (false at the bound). */
  replicationLagPublished(timeoutMs: number): Promise<boolean>;
  /** What the conformance check saw (empty when it is off). */
  conformance(): ConformanceReport;
  close(): Promise<void>;
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

  // Route 53 runs before CloudWatch starts and stops first, as the endpoint always did.
  const services: LabAwsService[] = [
    rdsService(ctx, global),
    stsService(ctx),
    iamService(iam),
    elastiCacheService(datastore),
    route53Service(route53),
    cloudWatchService(cloudwatch, opts.metricsIntervalMs ?? 1000),
    secretsManagerService(secrets),
    serviceQuotasService(quotas),
    taggingService(opts.backend),
    fisService(fis),
    ...(s3 ? [s3Service(s3)] : []),
  ];
  const authorizer = new IamAuthorizer({
    accountId: ctx.accountId,
    services,
    policyOf: (principal) => (principal.roleName === DRILL_ROLE_NAME ? iam.policy : undefined),
    secret: (region, id) => secrets.authorizationFacts(region, id),
    enforced:
      opts.enforceIam === undefined
        ? enforcedFromEnv(DRILL_ROLE_NAME)
        : new Set(opts.enforceIam ? [DRILL_ROLE_NAME] : []),
  });

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
    const r = routeRequest(services, request);
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
    // IAM authorizes a signed request before the service acts on it.
    const denied = authorizer.check(request);
    if (denied) {
      const reply = checkConformance(request, url, r.fail(denied.error));
      log(`aws: ${request.region} ${r.label} → ${reply.status} (IAM: ${denied.reason})`);
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
  for (const service of services) service.start?.();
  log(`aws: listening on http://127.0.0.1:${port}`);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    resolve: (name) => route53.resolve(name),
    mutationCounts: () => ({ ...counts }),
    setControlPlaneFaults: (f) => dice.set(f),
    setDrillRolePolicy: (document) => iam.setPolicy(document),
    setIamEnforcement: (on) => authorizer.setEnforced(DRILL_ROLE_NAME, on),
    setAppliedQuota: (region, code, value) => quotas.setApplied(region, code, value),
    healthCheckIds: () => route53.healthCheckIds(),
    zoneId: () => route53.zone.id,
    replicationLagPublished: (timeoutMs) => cloudwatch.awaitReplicationLagPublished(timeoutMs),
    conformance: () => conformance.report(),
    async close() {
      for (const service of services) await service.stop?.();
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
