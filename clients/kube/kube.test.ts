import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, RecordingAudit } from '../testing.ts';
import { KubeClient, labelSelectorString, toDeploymentInfo } from './kube.ts';

// A tiny stand-in for the Kubernetes API: records every request and answers from a per-test script.
interface Recorded {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}
type Reply = { status: number; body?: unknown } | 'hang';
const requests: Recorded[] = [];
const closed: string[] = [];
let script: (req: Recorded) => Reply;
let server: Server;
let dir: string;
let kubeconfigPath: string;
const CONTEXT = 'luneo-prod-eks-primary';
const NS = 'luneo-platform';

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  const rec: Recorded = {
    method: req.method ?? '',
    path: req.url ?? '',
    contentType: req.headers['content-type'],
    body: text ? JSON.parse(text) : undefined,
  };
  requests.push(rec);
  const reply = script(rec);
  if (reply === 'hang') {
    res.on('close', () => closed.push(rec.path));
    return;
  }
  res.writeHead(reply.status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(reply.body ?? {}));
}

function deployment(spec: number, status: Partial<Record<string, number>> = {}, generation = 2) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'luneo-api', namespace: NS, generation },
    spec: { replicas: spec, selector: { matchLabels: { app: 'luneo-api' } }, template: { metadata: {} } },
    status: {
      observedGeneration: generation,
      replicas: spec,
      updatedReplicas: spec,
      readyReplicas: spec,
      availableReplicas: spec,
      ...status,
    },
  };
}
const notFound = (what: string) => ({
  status: 404,
  body: { kind: 'Status', status: 'Failure', message: `${what} not found`, reason: 'NotFound', code: 404 },
});

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  dir = mkdtempSync(join(tmpdir(), 'kube-client-'));
  kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    `apiVersion: v1
kind: Config
clusters:
- name: primary
  cluster:
    server: http://127.0.0.1:${port}
    insecure-skip-tls-verify: true
users:
- name: drill
  user:
    token: lab-token
contexts:
- name: ${CONTEXT}
  context:
    cluster: primary
    user: drill
current-context: ${CONTEXT}
`,
  );
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

let audit: RecordingAudit;
let kube: KubeClient;
beforeEach(() => {
  requests.length = 0;
  closed.length = 0;
  audit = new RecordingAudit();
  kube = KubeClient.fromKubeconfig({ kubeconfigPath, context: CONTEXT, audit, retry: FAST_RETRY });
});

describe('fromKubeconfig', () => {
  it('refuses an unknown context and lists the known ones', () => {
    expect(() => KubeClient.fromKubeconfig({ kubeconfigPath, context: 'nope' })).toThrow(
      `kube context "nope" not found in ${kubeconfigPath} (contexts: ${CONTEXT})`,
    );
  });
});

describe('deployments', () => {
  it('getDeployment maps spec and status', async () => {
    script = () => ({ status: 200, body: deployment(3, { readyReplicas: 2 }) });
    expect(await kube.getDeployment(NS, 'luneo-api')).toEqual({
      namespace: NS,
      name: 'luneo-api',
      replicas: 3,
      generation: 2,
      observedGeneration: 2,
      statusReplicas: 3,
      updatedReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 3,
      selector: 'app=luneo-api',
      annotations: {},
    });
    expect(requests).toEqual([
      {
        method: 'GET',
        path: `/apis/apps/v1/namespaces/${NS}/deployments/luneo-api`,
        contentType: undefined,
        body: undefined,
      },
    ]);
  });

  it('getDeployment names the deployment and context when it is missing', async () => {
    script = () => notFound('deployments.apps "nope"');
    await expect(kube.getDeployment(NS, 'nope')).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: `deployment "${NS}/nope" not found in context ${CONTEXT} (HTTP 404)`,
    });
  });

  it('scaleDeployment PATCHes the scale subresource with a merge patch, audited', async () => {
    script = (r) =>
      r.method === 'GET'
        ? { status: 200, body: deployment(3) }
        : { status: 200, body: { kind: 'Scale', spec: { replicas: 0 } } };
    expect(await kube.scaleDeployment(NS, 'ai-worker', 0)).toEqual({
      alreadyDone: false,
      previousReplicas: 3,
    });
    expect(requests[1]).toEqual({
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/${NS}/deployments/ai-worker/scale`,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 0 } },
    });
    expect(audit.events.map((e) => [e.phase, e.call.operation, e.call.scope])).toEqual([
      ['before', 'scale deployment/ai-worker', CONTEXT],
      ['after', 'scale deployment/ai-worker', CONTEXT],
    ]);
  });

  it('scaleDeployment is a no-op when the replicas already match', async () => {
    script = () => ({ status: 200, body: deployment(0) });
    expect(await kube.scaleDeployment(NS, 'ai-worker', 0)).toEqual({
      alreadyDone: true,
      previousReplicas: 0,
    });
    expect(requests.map((r) => r.method)).toEqual(['GET']);
    expect(audit.events).toEqual([]);
  });

  it('rolloutRestart stamps kubectl.kubernetes.io/restartedAt on the pod template', async () => {
    script = () => ({ status: 200, body: deployment(2) });
    const now = new Date('2026-11-20T10:00:00.000Z');
    expect(await kube.rolloutRestart(NS, 'luneo-api', { now })).toEqual({
      restartedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(requests).toEqual([
      {
        method: 'PATCH',
        path: `/apis/apps/v1/namespaces/${NS}/deployments/luneo-api`,
        contentType: 'application/merge-patch+json',
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T10:00:00.000Z' } },
            },
          },
        },
      },
    ]);
  });

  it('retries a 503 from the API server', async () => {
    let n = 0;
    script = () =>
      n++ === 0
        ? { status: 503, body: { kind: 'Status', message: 'etcd unavailable' } }
        : { status: 200, body: deployment(1) };
    expect((await kube.getDeployment(NS, 'luneo-api')).replicas).toBe(1);
    expect(requests).toHaveLength(2);
  });

  it('waitForRollout waits for the new generation to be observed and every replica to be updated, ready and available', async () => {
    const states = [
      deployment(2, { observedGeneration: 2 }, 3),
      deployment(2, { observedGeneration: 3, updatedReplicas: 1, replicas: 3, readyReplicas: 2 }, 3),
      deployment(2, { observedGeneration: 3, readyReplicas: 1 }, 3),
      deployment(2, {}, 3),
    ];
    script = () => ({ status: 200, body: states.shift() });
    const d = await kube.waitForRollout(NS, 'luneo-api', { intervalMs: 1 });
    expect(d.readyReplicas).toBe(2);
    expect(requests).toHaveLength(4);
  });

  it('waitForRollout says what it last saw on timeout', async () => {
    script = () => ({
      status: 200,
      body: deployment(2, { observedGeneration: 3, updatedReplicas: 1, replicas: 3 }, 3),
    });
    await expect(kube.waitForRollout(NS, 'luneo-api', { timeoutMs: 0 })).rejects.toThrow(
      `timed out after 0ms waiting for deployment "${NS}/luneo-api" to finish its rollout in context ${CONTEXT}; last seen: generation 3/3, 1 updated, 2 ready, 2 available, 3 total of 2 desired (raise timeoutMs to wait longer)`,
    );
  });
});

describe('configmaps', () => {
  it('applyConfigMap creates a missing configmap and reports no previous data', async () => {
    script = (r) =>
      r.method === 'GET' ? notFound('configmaps "dr-overrides"') : { status: 201, body: r.body };
    expect(await kube.applyConfigMap(NS, 'dr-overrides', { dr_mode: 'active' })).toEqual({
      changed: true,
      previousData: null,
    });
    expect(requests[1]).toEqual({
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      contentType: 'application/json',
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'dr-overrides', namespace: NS },
        data: { dr_mode: 'active' },
      },
    });
  });

  it('applyConfigMap replaces an existing one with its resourceVersion and returns the previous data', async () => {
    const existing = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dr-overrides', namespace: NS, resourceVersion: '42' },
      data: { dr_mode: 'standby' },
    };
    script = (r) => (r.method === 'GET' ? { status: 200, body: existing } : { status: 200, body: r.body });
    expect(await kube.applyConfigMap(NS, 'dr-overrides', { dr_mode: 'active' })).toEqual({
      changed: true,
      previousData: { dr_mode: 'standby' },
    });
    expect(requests[1]).toMatchObject({
      method: 'PUT',
      path: `/api/v1/namespaces/${NS}/configmaps/dr-overrides`,
      body: { metadata: { name: 'dr-overrides', resourceVersion: '42' }, data: { dr_mode: 'active' } },
    });
    expect(audit.events[0]!.call.params).toEqual({ namespace: NS, name: 'dr-overrides', keys: ['dr_mode'] });
  });

  it('applyConfigMap sends nothing when the data is already equal', async () => {
    script = () => ({
      status: 200,
      body: { metadata: { name: 'dr-overrides' }, data: { dr_mode: 'active' } },
    });
    expect(await kube.applyConfigMap(NS, 'dr-overrides', { dr_mode: 'active' })).toEqual({
      changed: false,
      previousData: { dr_mode: 'active' },
    });
    expect(requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('getConfigMap returns null for a missing configmap; deleteConfigMap of a missing one is a no-op', async () => {
    script = () => notFound('configmaps "x"');
    expect(await kube.getConfigMap(NS, 'x')).toBeNull();
    expect(await kube.deleteConfigMap(NS, 'x')).toEqual({ alreadyDone: true });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/v1/namespaces/${NS}/configmaps/x`,
      `DELETE /api/v1/namespaces/${NS}/configmaps/x`,
    ]);
  });
});

describe('pods and nodes', () => {
  it('listPods filters by label and maps phase, readiness, restarts and node', async () => {
    script = () => ({
      status: 200,
      body: {
        kind: 'PodList',
        items: [
          {
            metadata: { name: 'luneo-api-1' },
            spec: { nodeName: 'node-a', containers: [] },
            status: {
              phase: 'Running',
              conditions: [{ type: 'Ready', status: 'True' }],
              containerStatuses: [{ name: 'api', restartCount: 2, ready: true, image: 'i', imageID: 'i' }],
            },
          },
          { metadata: { name: 'luneo-api-2' }, spec: { containers: [] }, status: { phase: 'Pending' } },
        ],
      },
    });
    expect(await kube.listPods(NS, 'app=luneo-api')).toEqual([
      { name: 'luneo-api-1', phase: 'Running', ready: true, restarts: 2, node: 'node-a' },
      { name: 'luneo-api-2', phase: 'Pending', ready: false, restarts: 0, node: undefined },
    ]);
    expect(requests[0]!.path).toBe(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dluneo-api`);
  });

  it('deletePod deletes, and is a no-op when the pod is gone', async () => {
    script = () => ({ status: 200, body: { kind: 'Pod', metadata: { name: 'p' } } });
    expect(await kube.deletePod(NS, 'p')).toEqual({ alreadyDone: false });
    script = () => notFound('pods "p"');
    expect(await kube.deletePod(NS, 'p')).toEqual({ alreadyDone: true });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `DELETE /api/v1/namespaces/${NS}/pods/p`,
      `DELETE /api/v1/namespaces/${NS}/pods/p`,
    ]);
  });

  it('listNodes reports the Ready condition', async () => {
    script = () => ({
      status: 200,
      body: {
        items: [
          { metadata: { name: 'a' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
          { metadata: { name: 'b' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
          { metadata: { name: 'c' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
        ],
      },
    });
    expect(await kube.listNodes()).toEqual([
      { name: 'a', ready: true, readyStatus: 'True' },
      { name: 'b', ready: false, readyStatus: 'False' },
      { name: 'c', ready: false, readyStatus: 'Unknown' },
    ]);
  });
});

describe('labelSelectorString', () => {
  it('writes matchLabels and matchExpressions as ?labelSelector= reads them', () => {
    expect(
      labelSelectorString({
        matchLabels: { 'app.kubernetes.io/name': 'ai-worker' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['worker', 'batch'] },
          { key: 'canary', operator: 'NotIn', values: ['true'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app.kubernetes.io/name=ai-worker,tier in (batch,worker),canary notin (true),team,!legacy');
  });

  it('a deployment selected by an expression has a selector that says so', () => {
    const info = toDeploymentInfo({
      spec: {
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['luneo-api'] }] },
        template: {},
      },
    });
    expect(info.selector).toBe('app in (luneo-api)');
  });
});

describe('abort', () => {
  it('rejects promptly and the request itself is aborted (the signal reaches fetch)', async () => {
    script = () => 'hang';
    const controller = new AbortController();
    const pending = kube.getDeployment(NS, 'luneo-api', { signal: controller.signal });
    while (requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(pending).rejects.toMatchObject({
      code: 'E_ABORTED',
      message: `kubernetes get deployment in ${CONTEXT} aborted`,
    });
    while (closed.length === 0) await new Promise((r) => setImmediate(r));
    expect(closed).toEqual([`/apis/apps/v1/namespaces/${NS}/deployments/luneo-api`]);
  });
});
