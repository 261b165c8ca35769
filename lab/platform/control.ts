// The daemon's control API (127.0.0.1 only): status, hand faults and heal for `pnpm lab`; mutation counts and
// control-plane faults for the safety tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ControlPlaneFaults } from '../aws/faults.ts';
import type { AbacPolicy } from '../k8s/authorization.ts';
import type { Lab } from '../lab.ts';
import { isRegion, LUNEO, PRIMARY_REGION, type Region } from '../regions.ts';
import { labStatus } from './status.ts';

export interface FaultRequest {
  kind: 'region-outage' | 'db-crash' | 'db-isolation' | 'wan-cut' | 'wan-latency' | 'pod-kill';
  region?: string;
  ms?: number;
  deployment?: string;
}

export async function applyHandFault(lab: Lab, request: FaultRequest, wanLatencyMs: number): Promise<string> {
  const region: Region = request.region === undefined ? PRIMARY_REGION : checkedRegion(request.region);
  switch (request.kind) {
    case 'region-outage':
      await lab.faults.regionOutage(region);
      return `${region} is dark: database, load balancer, EKS API and AWS endpoints unreachable, replication cut`;
    case 'db-isolation':
      await lab.faults.dbIsolation(region);
      return `${region} database is off the network`;
    case 'db-crash':
      await lab.faults.dbCrash(region);
      return `${region} PostgreSQL killed`;
    case 'wan-cut':
      await lab.faults.wanCut();
      return 'replication link cut';
    case 'wan-latency': {
      if (request.ms === undefined || !Number.isFinite(request.ms) || request.ms < 0) {
        throw new Error('wan-latency needs a latency in milliseconds, e.g. `pnpm lab fault wan-latency 500`');
      }
      await lab.faults.wanLatency(request.ms, wanLatencyMs);
      return `replication latency set to ${request.ms} ms`;
    }
    case 'pod-kill': {
      const deployment = request.deployment ?? 'luneo-api';
      const pods = lab.clusters[region].readyEndpoints(LUNEO.namespace, deployment).map((e) => e.pod);
      await lab.faults.podKill(region, pods);
      return `deleted ${pods.length} ${deployment} pod(s) in ${region}`;
    }
    default:
      throw new Error(`unknown fault "${String((request as { kind: unknown }).kind)}"`);
  }
}

function checkedRegion(value: string): Region {
  if (!isRegion(value)) throw new Error(`unknown region "${value}": use eu-west-1 or us-east-1`);
  return value;
}

export function startControlServer(
  lab: Lab,
  opts: { wanLatencyMs: number; onShutdown: () => void },
): Promise<number> {
  const server = createServer((req, res) => {
    handle(lab, req, opts).then(
      (body) => send(res, 200, body),
      (error: Error) => send(res, 400, { error: error.message }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

  async function handle(lab: Lab, req: IncomingMessage, o: typeof opts): Promise<unknown> {
    const body = await readJson(req);
    if (req.method === 'GET' && req.url === '/status') return labStatus(lab);
    if (req.method === 'POST' && req.url === '/fault')
      return { message: await applyHandFault(lab, body as FaultRequest, o.wanLatencyMs) };
    if (req.method === 'POST' && req.url === '/heal') {
      const errors = await lab.faults.healAll();
      return {
        message: errors.length ? `healed with errors: ${errors.join('; ')}` : 'every fault reverted',
        errors,
      };
    }
    // Safety tests: count the mutating AWS calls the lab applied, and answer a share of calls with faults.
    if (req.method === 'GET' && req.url === '/mutations') return lab.aws.mutationCounts();
    if (req.method === 'POST' && req.url === '/control-plane-faults') {
      const faults = Object.keys(body as object).length > 0 ? (body as ControlPlaneFaults) : null;
      lab.aws.setControlPlaneFaults(faults);
      return { message: faults ? 'control-plane faults set' : 'control-plane faults cleared' };
    }
    // Safety tests: the drill role's IAM identity policy the lab's policy simulator evaluates ({} = default).
    if (req.method === 'POST' && req.url === '/iam-policy') {
      const document = Object.keys(body as object).length > 0 ? body : null;
      lab.aws.setDrillRolePolicy(document);
      return { message: document ? 'drill role policy set' : 'drill role policy reset to the default' };
    }
    // Readiness tests: ABAC policies of a region's API server ({"region", "policies"}; policies null: AlwaysAllow).
    if (req.method === 'POST' && req.url === '/kube-abac') {
      const { region, policies } = body as { region?: Region; policies?: AbacPolicy[] | null };
      const cluster = region ? lab.clusters[region] : undefined;
      if (!cluster || policies === undefined)
        throw new Error('kube-abac needs {"region": "<lab region>", "policies": [...] or null}');
      cluster.authorizer.setAbac(policies);
      return { message: `${region}: ${policies ? `ABAC, ${policies.length} policies` : 'AlwaysAllow'}` };
    }
    // Readiness tests: this account's applied value of a quota in a region, {"region", "code", "value"} (null: default).
    if (req.method === 'POST' && req.url === '/service-quota') {
      const { region, code, value } = body as { region?: unknown; code?: unknown; value?: unknown };
      if (
        typeof region !== 'string' ||
        typeof code !== 'string' ||
        !(value === null || typeof value === 'number')
      )
        throw new Error('service-quota needs {"region": "...", "code": "L-...", "value": <number or null>}');
      lab.aws.setAppliedQuota(region, code, value);
      return { message: `${code} in ${region}: ${value ?? 'default'}` };
    }
    // A slow rebuild of the old primary after a failover (Aurora: minutes to hours): {"ms": n}, 0 = at once.
    if (req.method === 'POST' && req.url === '/rejoin-delay') {
      const ms = (body as { ms?: unknown }).ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
        throw new Error('rejoin-delay needs {"ms": <milliseconds, 0 or more>}');
      lab.db.rejoinDelayMs = ms;
      return { message: `the old primary's rebuild starts ${ms} ms after a failover` };
    }
    if (req.method === 'POST' && req.url === '/shutdown') {
      setImmediate(o.onShutdown);
      return { message: 'stopping' };
    }
    throw new Error(`no route ${req.method} ${req.url}`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
