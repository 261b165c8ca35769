// Discovery documents: /version, /api, /apis, the APIResourceLists, and a small OpenAPI v3 that tells
// kubectl the server validates fields itself (so `kubectl apply` needs no client-side schema).
import { groupVersions, RESOURCES, type ResourceType, servedBy } from './resources.ts';

type Served = (r: ResourceType) => boolean;
const BUILT_IN: Served = servedBy(new Set());

export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.9-eks-lab' };

export function versionInfo() {
  return {
    ...KUBE_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.12',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

const ADDRESS = [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }];

export function coreVersions() {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: ADDRESS };
}

export function apiGroupList(served: Served = BUILT_IN) {
  const groups = groupVersions(served).filter((gv) => gv.group !== '');
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map(({ group, version }) => ({
      name: group,
      versions: [{ groupVersion: `${group}/${version}`, version }],
      preferredVersion: { groupVersion: `${group}/${version}`, version },
    })),
  };
}

export function apiGroup(group: string, served: Served = BUILT_IN) {
  const gv = groupVersions(served).find((g) => g.group === group);
  if (!gv) return undefined;
  const version = { groupVersion: `${group}/${gv.version}`, version: gv.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [version], preferredVersion: version };
}

/** APIResourceList for one group/version, with subresources (deployments/scale is autoscaling/v1 Scale). */
export function apiResourceList(group: string, version: string, served: Served = BUILT_IN) {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version && served(r));
  if (resources.length === 0) return undefined;
  const list: object[] = [];
  for (const r of resources) {
    list.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: Buffer.from(r.plural).toString('base64').slice(0, 11),
    });
    for (const sub of r.subresources ?? []) {
      const scale = sub === 'scale';
      list.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(scale
          ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
          : { kind: sub === 'log' ? 'Pod' : r.kind }),
        verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: list,
  };
}

/** /openapi/v3: one document per group/version. */
export function openApiV3Root(served: Served = BUILT_IN) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of groupVersions(served)) {
    const key = group ? `apis/${group}/${version}` : `api/${version}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=lab${key.replaceAll('/', '')}` };
  }
  return { paths };
}

/** A minimal OpenAPI v3 document: PATCH operations tagged with their GVK and the fieldValidation parameter. */
export function openApiV3Document(group: string, version: string, served: Served = BUILT_IN) {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version && served(r));
  if (resources.length === 0) return undefined;
  const paths: Record<string, object> = {};
  const fieldValidation = {
    name: 'fieldValidation',
    in: 'query',
    schema: { type: 'string', uniqueItems: true },
  };
  for (const r of resources) {
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = r.namespaced
      ? `${base}/namespaces/{namespace}/${r.plural}/{name}`
      : `${base}/${r.plural}/{name}`;
    paths[path] = {
      patch: {
        operationId: `patch${r.kind}`,
        parameters: [fieldValidation],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}
