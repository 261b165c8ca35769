// ?watch=true: newline-delimited JSON events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR), resumable from
// a resourceVersion, with the initial state first when no resourceVersion (or sendInitialEvents) is given.
import type { ServerResponse } from 'node:http';
import { KubeApiError } from './errors.ts';
import type { Representation } from './negotiate.ts';
import type { ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { ObjectStore, StoreEvent } from './store.ts';
import { toTable } from './table.ts';
import type { KubeObject } from './types.ts';

export interface WatchRequest {
  resource: ResourceType;
  namespace: string | undefined;
  query: URLSearchParams;
  representation: Representation;
}

/** Streams events until the client leaves, timeoutSeconds passes, or the returned stop() is called. */
export function serveWatch(store: ObjectStore, req: WatchRequest, res: ServerResponse): () => void {
  const { resource, namespace, query } = req;
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'));
  const wanted = (o: KubeObject) =>
    o.kind === resource.kind &&
    (!resource.namespaced || !namespace || o.metadata.namespace === namespace) &&
    labels(o) &&
    fields(o);
  const render = (o: KubeObject) => {
    if (req.representation === 'table')
      return toTable(o.kind, [o], o.metadata.resourceVersion ?? '', 'Object');
    if (req.representation === 'metadata')
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return o;
  };
  const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache',
  });
  // Send the headers now: client-go cannot cancel a watch whose response has not started (kubectl
  // rollout status would hang on exit when no event follows).
  res.flushHeaders();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    clearTimeout(timer);
    res.end();
  };
  const unsubscribe = store.subscribe((e: StoreEvent) => {
    if (wanted(e.object)) write(e.type, render(e.object));
  });
  const timeout = Number(query.get('timeoutSeconds') ?? 0);
  const timer = setTimeout(stop, timeout > 0 ? timeout * 1000 : 30 * 60 * 1000);
  res.on('close', stop);

  const rv = query.get('resourceVersion') ?? '';
  const initial = query.get('sendInitialEvents') === 'true' || rv === '' || rv === '0';
  if (initial) {
    const current = store.list(resource.kind, resource.namespaced ? namespace : undefined).filter(wanted);
    for (const o of current) write('ADDED', render(o));
    if (query.get('sendInitialEvents') === 'true') {
      write('BOOKMARK', {
        kind: resource.kind,
        apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
        metadata: {
          resourceVersion: String(store.resourceVersion),
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      });
    }
  } else {
    const missed = store.eventsSince(Number(rv));
    if (!missed) {
      const gone = new KubeApiError('Gone', `too old resource version: ${rv} (${store.resourceVersion})`);
      write('ERROR', gone.toStatus());
      stop();
      return stop;
    }
    for (const e of missed) if (wanted(e.object)) write(e.type, render(e.object));
  }
  return stop;
}
