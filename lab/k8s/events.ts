// core/v1 Events as the controllers and the kubelet record them (client-go tools/record): one object per
// involved object + reason + message, its count and lastTimestamp bumped on repeats (the event correlator).
// https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/
import type { ObjectStore } from './store.ts';
import type { KubeObject } from './types.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** e.g. deployment-controller, replicaset-controller, default-scheduler, kubelet. */
  component: string;
  /** The node, for the kubelet. */
  host?: string;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export class EventRecorder {
  private readonly names = new Map<string, string>();
  private sequence = 0;

  constructor(private readonly store: ObjectStore) {}

  record(
    involved: KubeObject,
    source: EventSource,
    type: EventType,
    reason: string,
    message: string,
    fieldPath?: string,
  ): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const key = [source.component, involved.metadata.uid, fieldPath ?? '', reason, message].join('\0');
    const existing = this.names.get(key);
    const stored = existing ? this.store.get('Event', namespace, existing) : undefined;
    if (stored) {
      stored.count = Number(stored.count ?? 1) + 1;
      stored.lastTimestamp = now();
      delete stored.metadata.resourceVersion;
      this.store.update(stored);
      return;
    }
    // client-go names an event <object>.<UnixNano in hex>; the sequence keeps two in one ms apart.
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    const name = `${involved.metadata.name}.${nanos.toString(16)}`;
    const at = now();
    this.store.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        namespace,
        uid: involved.metadata.uid ?? '',
        ...(involved.metadata.resourceVersion ? { resourceVersion: involved.metadata.resourceVersion } : {}),
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
    this.names.set(key, name);
  }
}
