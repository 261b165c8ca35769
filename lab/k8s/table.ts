// meta.k8s.io/v1 Table responses: what `kubectl get` prints, column for column as kube-apiserver does.
import { selectorToString } from './selectors.ts';
import type { Deployment, KubeObject, Pod } from './types.ts';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  description: string;
  priority: number;
}

type Cell = string | number;

const col = (name: string, type: Column['type'] = 'string', priority = 0, format?: string): Column => ({
  name,
  type,
  ...(format ? { format } : {}),
  description: name,
  priority,
});

/** Age the way kubectl prints it: 45s, 3m10s, 12m, 5h3m, 4d. */
export function humanAge(from: string | undefined, nowMs = Date.now()): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((nowMs - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

function podStatusText(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  for (const c of pod.status?.containerStatuses ?? []) {
    if (c.state.waiting && c.state.waiting.reason !== 'ContainerCreating') return c.state.waiting.reason;
    if (c.state.terminated) return c.state.terminated.reason;
  }
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Pending' && pod.spec.nodeName) return 'ContainerCreating';
  return phase;
}

function podRestarts(pod: Pod, nowMs: number): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const count = statuses.reduce((n, c) => n + c.restartCount, 0);
  const last = statuses
    .map((c) => c.lastState.terminated?.finishedAt)
    .filter((t): t is string => !!t)
    .sort()
    .pop();
  return last && count > 0 ? `${count} (${humanAge(last, nowMs)} ago)` : String(count);
}

interface Printer {
  columns: Column[];
  cells: (obj: KubeObject, nowMs: number) => Cell[];
}

const age = (o: KubeObject, nowMs: number) => humanAge(o.metadata.creationTimestamp, nowMs);

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Ready'),
      col('Status'),
      col('Restarts'),
      col('Age'),
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells: (o, nowMs) => {
      const pod = o as Pod;
      const statuses = pod.status?.containerStatuses ?? [];
      const ready = statuses.filter((c) => c.ready).length;
      return [
        pod.metadata.name,
        `${ready}/${pod.spec.containers.length}`,
        podStatusText(pod),
        podRestarts(pod, nowMs),
        age(o, nowMs),
        pod.status?.podIP ?? '<none>',
        pod.spec.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  Deployment: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Age'),
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (o, nowMs) => {
      const d = o as Deployment;
      const containers = d.spec.template.spec.containers;
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(o, nowMs),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image ?? c.command?.[0] ?? '').join(','),
        selectorToString(d.spec.selector),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Age'),
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (o, nowMs) => {
      const spec = o.spec as Deployment['spec'];
      const status = (o.status ?? {}) as { replicas?: number; readyReplicas?: number };
      const containers = spec.template.spec.containers;
      return [
        o.metadata.name,
        spec.replicas ?? 0,
        status.replicas ?? 0,
        status.readyReplicas ?? 0,
        age(o, nowMs),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image ?? c.command?.[0] ?? '').join(','),
        selectorToString(spec.selector),
      ];
    },
  },
  ConfigMap: {
    columns: [col('Name', 'string', 0, 'name'), col('Data', 'integer'), col('Age')],
    cells: (o, nowMs) => [
      o.metadata.name,
      Object.keys((o.data as object) ?? {}).length + Object.keys((o.binaryData as object) ?? {}).length,
      age(o, nowMs),
    ],
  },
  Secret: {
    columns: [col('Name', 'string', 0, 'name'), col('Type'), col('Data', 'integer'), col('Age')],
    cells: (o, nowMs) => [
      o.metadata.name,
      String(o.type ?? 'Opaque'),
      Object.keys((o.data as object) ?? {}).length,
      age(o, nowMs),
    ],
  },
  Namespace: {
    columns: [col('Name', 'string', 0, 'name'), col('Status'), col('Age')],
    cells: (o, nowMs) => [
      o.metadata.name,
      String((o.status as { phase?: string } | undefined)?.phase ?? 'Active'),
      age(o, nowMs),
    ],
  },
  Node: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Status'),
      col('Roles'),
      col('Age'),
      col('Version'),
      col('Internal-IP', 'string', 1),
    ],
    cells: (o, nowMs) => {
      const status = o.status as {
        conditions?: { type: string; status: string }[];
        nodeInfo?: { kubeletVersion?: string };
      };
      const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return [
        o.metadata.name,
        ready ? 'Ready' : 'NotReady',
        '<none>',
        age(o, nowMs),
        status.nodeInfo?.kubeletVersion ?? '',
        '127.0.0.1',
      ];
    },
  },
  Event: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
    cells: (o, nowMs) => {
      const involved = (o.involvedObject ?? {}) as { kind?: string; name?: string };
      return [
        humanAge(String(o.lastTimestamp ?? o.metadata.creationTimestamp), nowMs),
        String(o.type ?? 'Normal'),
        String(o.reason ?? ''),
        `${(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`,
        String(o.message ?? ''),
      ];
    },
  },
};

const DEFAULT_PRINTER: Printer = {
  columns: [col('Name', 'string', 0, 'name'), col('Age')],
  cells: (o, nowMs) => [o.metadata.name, age(o, nowMs)],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KubeObject, include: IncludeObject): KubeObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** A Table of objects of one kind; `listMeta` carries the list's resourceVersion. */
export function toTable(
  kind: string,
  objects: KubeObject[],
  resourceVersion: string,
  include: IncludeObject,
  nowMs = Date.now(),
) {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: printer.columns,
    rows: objects.map((o) => {
      const object = rowObject(o, include);
      return { cells: printer.cells(o, nowMs), ...(object ? { object } : {}) };
    }),
  };
}
