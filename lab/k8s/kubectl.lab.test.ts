// KubeCluster driven through /usr/bin/kubectl only: get, describe, scale, apply, rollout restart/status,
// delete pod, patch, logs, and the error text kubectl prints for a missing object.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envServerDeployment,
  type Fixture,
  fetchPodEnv,
  isAlive,
  NS,
  startFixture,
  waitFor,
} from './testdata/fixture.ts';

const run = promisify(execFile);
let fx: Fixture;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/kubectl', ['-n', NS, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: fx.dir, KUBECONFIG: fx.kubeconfig },
    timeout: 30_000,
  });
  return stdout;
}

async function kubectlFails(...args: string[]): Promise<{ code: number; stderr: string }> {
  return kubectl(...args).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

async function podsJson(
  app: string,
): Promise<{ name: string; ready: boolean; pid: number; port: number; terminating: boolean }[]> {
  const list = JSON.parse(await kubectl('get', 'pods', '-l', `app=${app}`, '-o', 'json')) as {
    items: {
      metadata: { name: string; deletionTimestamp?: string; annotations: Record<string, string> };
      status: {
        conditions?: { type: string; status: string }[];
        containerStatuses?: { containerID?: string }[];
      };
    }[];
  };
  return list.items.map((p) => ({
    name: p.metadata.name,
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    pid: Number(p.status.containerStatuses?.[0]?.containerID?.replace('process://', '') ?? 0),
    port: Number(p.metadata.annotations['lab.drill/port'] ?? 0),
    terminating: !!p.metadata.deletionTimestamp,
  }));
}

interface EventSeen {
  type: string;
  reason: string;
  object: string;
  message: string;
  component: string;
  count: number;
}

async function eventsJson(): Promise<EventSeen[]> {
  const list = JSON.parse(await kubectl('get', 'events', '-o', 'json')) as {
    items: {
      type: string;
      reason: string;
      message: string;
      count: number;
      involvedObject: { kind: string; name: string };
      source: { component: string };
    }[];
  };
  return list.items.map((e) => ({
    type: e.type,
    reason: e.reason,
    object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
    message: e.message,
    component: e.source.component,
    count: e.count,
  }));
}

beforeAll(async () => {
  fx = await startFixture('luneo-prod-eks-secondary', 'us-east-1');
  await fx.cluster.apply(envServerDeployment('luneo-api', 2));
  await waitFor('luneo-api ready', () => fx.cluster.readyEndpoints(NS, 'luneo-api').length === 2);
});

afterAll(async () => {
  await fx?.cluster.stop();
});

describe('KubeCluster through kubectl', () => {
  it('names each context by cluster name and EKS ARN', async () => {
    const contexts = (await kubectl('config', 'get-contexts', '-o', 'name')).trim().split('\n').sort();
    const arn = 'arn:aws:eks:us-east-1:111122223333:cluster/luneo-prod-eks-secondary';
    expect(contexts).toEqual([arn, 'luneo-prod-eks-secondary']);
    expect(await kubectl('config', 'current-context')).toBe('luneo-prod-eks-secondary\n');
    const nodes = await kubectl('--context', arn, 'get', 'nodes', '-o', 'name');
    expect(nodes).toBe(
      'node/ip-10-0-1-10.us-east-1.compute.internal\nnode/ip-10-0-2-10.us-east-1.compute.internal\n',
    );
  });

  it('gets deployments and pods as tables', async () => {
    const deployments = (await kubectl('get', 'deployments')).trim().split('\n');
    expect(deployments[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(deployments[1]).toMatch(/^luneo-api\s+2\/2\s+2\s+2\s+\d+s$/);
    const pods = (await kubectl('get', 'pods')).trim().split('\n');
    expect(pods[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(pods.slice(1).every((l) => /^luneo-api-\w+-\w{5}\s+1\/1\s+Running\s+0\s+\d+s$/.test(l))).toBe(
      true,
    );
    const events = (await kubectl('get', 'events')).trim().split('\n');
    expect(events[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(
      events.some((l) =>
        /Normal\s+ScalingReplicaSet\s+deployment\/luneo-api\s+Scaled up replica set luneo-api-\w+ from 0 to 2$/.test(
          l,
        ),
      ),
    ).toBe(true);
  });

  it('describes a deployment with its replicasets and conditions', async () => {
    const text = await kubectl('describe', 'deployment', 'luneo-api');
    expect(text).toMatch(/Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable/);
    expect(text).toMatch(/Progressing\s+True\s+NewReplicaSetAvailable/);
    expect(text).toMatch(/NewReplicaSet:\s+luneo-api-\w+ \(2\/2 replicas created\)/);
    expect(text).toMatch(
      /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n[\s\S]*Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set luneo-api-\w+ from 0 to 2/,
    );
    const [pod] = await podsJson('luneo-api');
    expect(await kubectl('describe', 'pod', pod!.name)).toMatch(/Controlled By:\s+ReplicaSet\/luneo-api-\w+/);
  });

  it('says NotFound the way kube-apiserver does', async () => {
    expect(await kubectlFails('get', 'deployment', 'nope')).toEqual({
      code: 1,
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    });
  });

  it('scales: processes start and stop', async () => {
    expect(await kubectl('scale', 'deployment/luneo-api', '--replicas=3')).toBe(
      'deployment.apps/luneo-api scaled\n',
    );
    const three = await waitFor('3 ready pods', async () => {
      const pods = await podsJson('luneo-api');
      return pods.filter((p) => p.ready).length === 3 ? pods : undefined;
    });
    await kubectl('scale', 'deployment/luneo-api', '--replicas=2');
    const two = await waitFor('2 pods', async () => {
      const pods = await podsJson('luneo-api');
      return pods.length === 2 ? pods : undefined;
    });
    const gone = three.filter((p) => !two.some((q) => q.name === p.name));
    expect(gone).toHaveLength(1);
    expect(isAlive(gone[0]!.pid)).toBe(false);
    for (const p of two) expect(isAlive(p.pid)).toBe(true);
    // The controllers' and the kubelet's record of it, worded as theirs.
    const events = await eventsJson();
    const scaling = events
      .filter((e) => e.object === 'Deployment/luneo-api' && e.reason === 'ScalingReplicaSet')
      .map((e) => e.message.replace(/luneo-api-\w+/, 'RS'));
    expect(scaling).toEqual(
      expect.arrayContaining([
        'Scaled up replica set RS from 2 to 3',
        'Scaled down replica set RS from 3 to 2',
      ]),
    );
    expect(events.filter((e) => e.object === `Pod/${gone[0]!.name}`).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started', 'Killing']),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        reason: 'SuccessfulDelete',
        message: `Deleted pod: ${gone[0]!.name}`,
        component: 'replicaset-controller',
      }),
    );
  });

  it('applies a configmap from YAML, then rollout restart re-reads it in new processes', async () => {
    const file = join(fx.dir, 'dr-overrides.yaml');
    await writeFile(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dr-overrides\n  namespace: ${NS}\ndata:\n  dr_mode: failover\n`,
    );
    expect(await kubectl('apply', '-f', file)).toBe('configmap/dr-overrides configured\n');
    expect(await kubectl('get', 'configmap', 'dr-overrides', '-o', 'jsonpath={.data.dr_mode}')).toBe(
      'failover',
    );
    const before = await podsJson('luneo-api');
    // A configmap change alone does not reach running pods, as in Kubernetes.
    expect((await fetchPodEnv(before[0]!.port)).env.DR_MODE).toBe('normal');

    expect(await kubectl('rollout', 'restart', 'deployment/luneo-api')).toBe(
      'deployment.apps/luneo-api restarted\n',
    );
    const status = await kubectl('rollout', 'status', 'deployment/luneo-api', '--timeout=30s');
    expect(status.trim().split('\n').pop()).toBe('deployment "luneo-api" successfully rolled out');
    const after = await podsJson('luneo-api');
    expect(after.filter((p) => !p.terminating)).toHaveLength(2);
    for (const p of after.filter((q) => !q.terminating)) {
      expect(before.some((b) => b.name === p.name)).toBe(false);
      expect((await fetchPodEnv(p.port)).env.DR_MODE).toBe('failover');
    }
    await waitFor('old processes gone', () => before.every((p) => !isAlive(p.pid)));
    expect(
      await kubectl(
        'get',
        'deployment',
        'luneo-api',
        '-o',
        'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
      ),
    ).toBe('2');
  });

  it('rolls back with rollout undo, reusing the first replicaset under a new revision', async () => {
    // name -> "replicas@revision"
    const replicaSets = async () =>
      Object.fromEntries(
        (
          await kubectl(
            'get',
            'rs',
            '-o',
            'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}@{.metadata.annotations.deployment\\.kubernetes\\.io/revision} {end}',
          )
        )
          .trim()
          .split(' ')
          .map((entry) => entry.split('=') as [string, string]),
      );
    const before = await replicaSets();
    const first = Object.keys(before).find((name) => before[name] === '0@1')!;
    const second = Object.keys(before).find((name) => before[name] === '2@2')!;
    expect(Object.keys(before).sort()).toEqual([first, second].sort());
    expect(await kubectl('rollout', 'undo', 'deployment/luneo-api')).toBe(
      'deployment.apps/luneo-api rolled back\n',
    );
    await kubectl('rollout', 'status', 'deployment/luneo-api', '--timeout=30s');
    expect(await replicaSets()).toEqual({ [first]: '2@3', [second]: '0@2' });
  });

  it('applies server-side too', async () => {
    const file = join(fx.dir, 'ssa.yaml');
    await writeFile(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-demo\n  namespace: ${NS}\ndata:\n  a: "1"\n`,
    );
    expect(await kubectl('apply', '--server-side', '-f', file)).toBe(
      'configmap/ssa-demo serverside-applied\n',
    );
    expect(await kubectl('get', 'configmap', 'ssa-demo', '-o', 'jsonpath={.data.a}')).toBe('1');
  });

  it('deletes a pod: its process is killed and a replacement runs', async () => {
    const before = await podsJson('luneo-api');
    const victim = before[0];
    expect(await kubectl('delete', 'pod', victim!.name)).toBe(`pod "${victim!.name}" deleted\n`);
    expect(isAlive(victim!.pid)).toBe(false);
    const pods = await waitFor('2 ready pods again', async () => {
      const list = await podsJson('luneo-api');
      return list.filter((p) => p.ready).length === 2 ? list : undefined;
    });
    expect(pods.some((p) => p.name === victim!.name)).toBe(false);
    const replacement = pods.find((p) => !before.some((b) => b.name === p.name))!;
    const events = await eventsJson();
    expect(events).toContainEqual({
      type: 'Normal',
      reason: 'Killing',
      object: `Pod/${victim!.name}`,
      message: 'Stopping container main',
      component: 'kubelet',
      count: 1,
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        reason: 'SuccessfulCreate',
        message: `Created pod: ${replacement.name}`,
        component: 'replicaset-controller',
      }),
    );
    expect(events.filter((e) => e.object === `Pod/${replacement.name}`).map((e) => e.message)).toEqual([
      expect.stringMatching(/^Successfully assigned luneo-platform\/luneo-api-\w+-\w{5} to ip-10-0-\d-10\./),
      'Container image "luneo/luneo-api:1.0.0" already present on machine',
      'Created container: main',
      'Started container main',
    ]);
  });

  it('patches with merge and json patch types', async () => {
    await kubectl(
      'patch',
      'configmap',
      'dr-overrides',
      '--type',
      'merge',
      '-p',
      '{"data":{"region":"us-east-1"}}',
    );
    await kubectl(
      'patch',
      'configmap',
      'dr-overrides',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/data/dr_mode","value":"normal"}]',
    );
    expect(JSON.parse(await kubectl('get', 'configmap', 'dr-overrides', '-o', 'jsonpath={.data}'))).toEqual({
      dr_mode: 'normal',
      region: 'us-east-1',
    });
    const failed = await kubectlFails(
      'patch',
      'configmap',
      'dr-overrides',
      '--type',
      'json',
      '-p',
      '[{"op":"test","path":"/data/dr_mode","value":"x"}]',
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('json patch: test failed at "/data/dr_mode"');
  });

  it('shows pod logs', async () => {
    const [pod] = (await podsJson('luneo-api')).filter((p) => p.ready);
    expect(await kubectl('logs', pod!.name)).toBe(`listening on ${pod!.port} as ${pod!.name}\n`);
  });
});
