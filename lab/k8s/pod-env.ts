// A container's environment, resolved when it starts: host basics, podEnv(), envFrom, env (values,
// configMapKeyRef, secretKeyRef, fieldRef), then what the kubelet sets: PORT, POD_NAME, POD_NAMESPACE, NODE_NAME.
import { ContainerConfigError } from './container.ts';
import type { ObjectStore } from './store.ts';
import type { Container, KubeObject, Pod } from './types.ts';

// The host variables a process needs to run at all; the rest of the host environment stays out, as in a container.
const HOST_VARS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

export interface PodEnvContext {
  store: ObjectStore;
  pod: Pod;
  container: Container;
  port: number;
  extra: Record<string, string>;
}

function dataOf(obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj.data as Record<string, string> | undefined) ?? {})) {
    out[k] = obj.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
  }
  if (obj.kind === 'Secret') Object.assign(out, (obj.stringData as Record<string, string> | undefined) ?? {});
  return out;
}

function source(store: ObjectStore, kind: 'ConfigMap' | 'Secret', namespace: string, name: string) {
  return store.get(kind, namespace, name);
}

function fieldRef(pod: Pod, path: string): string {
  const values: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'status.podIP': '127.0.0.1',
    'status.hostIP': '127.0.0.1',
  };
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.metadata.labels?.[label[1]!] ?? '';
  return values[path] ?? '';
}

export function resolveContainerEnv(ctx: PodEnvContext): Record<string, string> {
  const { store, pod, container } = ctx;
  const namespace = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const name of HOST_VARS) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  Object.assign(env, ctx.extra);

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const obj = source(store, kind, namespace, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind.toLowerCase()} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(dataOf(obj))) env[`${from.prefix ?? ''}${k}`] = v;
  }

  for (const variable of container.env ?? []) {
    if (variable.value !== undefined || !variable.valueFrom) {
      env[variable.name] = variable.value ?? '';
      continue;
    }
    const { configMapKeyRef, secretKeyRef, fieldRef: field } = variable.valueFrom;
    if (field) {
      env[variable.name] = fieldRef(pod, field.fieldPath);
      continue;
    }
    const ref = configMapKeyRef ?? secretKeyRef;
    if (!ref) continue;
    const kind = configMapKeyRef ? 'ConfigMap' : 'Secret';
    const obj = source(store, kind, namespace, ref.name);
    const value = obj ? dataOf(obj)[ref.key] : undefined;
    if (value === undefined) {
      if (ref.optional) continue;
      throw new ContainerConfigError(
        obj
          ? `couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name}`
          : `${kind.toLowerCase()} "${ref.name}" not found`,
      );
    }
    env[variable.name] = value;
  }

  env.PORT = String(ctx.port);
  env.POD_NAME = pod.metadata.name;
  env.POD_NAMESPACE = namespace;
  env.NODE_NAME = pod.spec.nodeName ?? '';
  return env;
}
