// Defaults and validation applied to objects on create and update, with kube-apiserver's messages.
import { invalid } from './errors.ts';
import { invalidNameMessage, randomSuffix } from './names.ts';
import { DEFAULT_GRACE_SECONDS } from './pod-delete.ts';
import type { ResourceType } from './resources.ts';
import { selectorMatches } from './selectors.ts';
import { type Deployment, isObject, type KubeObject } from './types.ts';

type Cause = { field: string; message: string };

function validateContainers(containers: unknown, field: string, causes: Cause[]): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ field, message: 'Required value' });
    return;
  }
  containers.forEach((c, i) => {
    if (!isObject(c) || typeof c.name !== 'string' || c.name === '')
      causes.push({ field: `${field}[${i}].name`, message: 'Required value' });
    if (
      isObject(c) &&
      c.command !== undefined &&
      !(Array.isArray(c.command) && c.command.every((x) => typeof x === 'string'))
    ) {
      causes.push({ field: `${field}[${i}].command`, message: 'Invalid value: must be a list of strings' });
    }
  });
}

function defaultDeployment(d: Deployment): void {
  d.spec.replicas ??= 1;
  d.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  if (d.spec.strategy.type === undefined) d.spec.strategy.type = 'RollingUpdate';
  d.spec.revisionHistoryLimit ??= 10;
  d.spec.progressDeadlineSeconds ??= 600;
  if (d.spec.template?.spec) {
    d.spec.template.spec.restartPolicy ??= 'Always';
    // PodSpec default: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#lifecycle
    d.spec.template.spec.terminationGracePeriodSeconds ??= DEFAULT_GRACE_SECONDS;
    d.spec.template.spec.dnsPolicy ??= 'ClusterFirst';
  }
}

function validateDeployment(d: Deployment, causes: Cause[]): void {
  const spec = d.spec as Deployment['spec'] | undefined;
  if (!isObject(spec)) {
    causes.push({ field: 'spec', message: 'Required value' });
    return;
  }
  if (!isObject(spec.selector)) causes.push({ field: 'spec.selector', message: 'Required value' });
  if (!isObject(spec.template)) {
    causes.push({ field: 'spec.template', message: 'Required value' });
    return;
  }
  if (!Number.isInteger(spec.replicas) || (spec.replicas ?? 0) < 0) {
    causes.push({
      field: 'spec.replicas',
      message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
    });
  }
  if (isObject(spec.selector) && !selectorMatches(spec.selector, spec.template.metadata?.labels)) {
    causes.push({
      field: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(spec.template.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
    });
  }
  validateContainers(spec.template.spec?.containers, 'spec.template.spec.containers', causes);
}

/** Fill defaults and check an object about to be stored; throws a 422 listing every invalid field. */
export function prepareObject(
  resource: ResourceType,
  obj: KubeObject,
  existing: KubeObject | undefined,
): KubeObject {
  const causes: Cause[] = [];
  if (!existing && !obj.metadata.name && obj.metadata.generateName)
    obj.metadata.name = `${obj.metadata.generateName}${randomSuffix(5)}`;
  const name = obj.metadata.name;
  if (!name)
    causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
  else {
    const bad = invalidNameMessage(name);
    if (bad) causes.push({ field: 'metadata.name', message: bad });
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = obj.metadata[field];
    if (map !== undefined && (!isObject(map) || Object.values(map).some((v) => typeof v !== 'string'))) {
      causes.push({ field: `metadata.${field}`, message: 'Invalid value: values must be strings' });
    }
  }
  switch (resource.kind) {
    case 'Deployment':
      defaultDeployment(obj as Deployment);
      validateDeployment(obj as Deployment, causes);
      if (
        existing &&
        JSON.stringify((existing as Deployment).spec.selector) !==
          JSON.stringify((obj as Deployment).spec?.selector)
      ) {
        causes.push({
          field: 'spec.selector',
          message: `Invalid value: ${JSON.stringify((obj as Deployment).spec?.selector)}: field is immutable`,
        });
      }
      break;
    case 'Pod':
      validateContainers(
        (obj.spec as { containers?: unknown } | undefined)?.containers,
        'spec.containers',
        causes,
      );
      break;
    case 'ConfigMap':
      for (const [k, v] of Object.entries((obj.data as Record<string, unknown> | undefined) ?? {})) {
        if (typeof v !== 'string')
          causes.push({ field: `data[${k}]`, message: 'Invalid value: must be a string' });
      }
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      if (isObject(obj.stringData)) {
        const data = { ...((obj.data as Record<string, string>) ?? {}) };
        for (const [k, v] of Object.entries(obj.stringData))
          data[k] = Buffer.from(String(v)).toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      break;
    case 'Namespace':
      obj.spec = { finalizers: ['kubernetes'], ...((obj.spec as object) ?? {}) };
      obj.status = { phase: 'Active' };
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name };
      break;
  }
  if (causes.length > 0) throw invalid(resource.kind, resource.group, name ?? '', causes);
  return obj;
}
