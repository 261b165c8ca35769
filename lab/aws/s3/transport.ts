// The replication path between the regions: the destination region's receiver (an HTTP server writing replicas)
// and a sender that reaches it through a Link, so WAN latency and cuts apply to replication as to the database.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplicationTransport } from './replication.ts';
import type { ObjectVersion, S3Store } from './store.ts';

const HEADER = {
  versionId: 'x-lab-version-id',
  etag: 'x-lab-etag',
  lastModified: 'x-lab-last-modified',
} as const;

export interface ReplicaReceiver {
  port: number;
  close(): Promise<void>;
}

/** Accepts `PUT /<bucket>/<key>` with the source version's metadata and stores it as a REPLICA. */
export async function startReplicaReceiver(store: S3Store): Promise<ReplicaReceiver> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const [, bucket = '', ...rest] = (req.url ?? '/').split('/');
      const key = decodeURIComponent(rest.join('/'));
      const body = Buffer.concat(chunks);
      const replica: ObjectVersion = {
        key,
        versionId: String(req.headers[HEADER.versionId]),
        etag: String(req.headers[HEADER.etag]),
        size: body.length,
        lastModified: new Date(Number(req.headers[HEADER.lastModified])),
        contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
      };
      store
        .put(decodeURIComponent(bucket), key, body, { replica })
        .then(() => {
          res.writeHead(200);
          res.end();
        })
        .catch((error: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(error.message);
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends replicas to `port` (the Link in front of the receiver), reusing connections like a long-lived worker. */
export function httpTransport(port: () => number): ReplicationTransport & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    send(destinationBucket, { version, body }, signal) {
      return new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: port(),
            method: 'PUT',
            path: `/${encodeURIComponent(destinationBucket)}/${encodeURIComponent(version.key)}`,
            agent,
            signal,
            headers: {
              'content-type': version.contentType,
              'content-length': body.length,
              [HEADER.versionId]: version.versionId,
              [HEADER.etag]: version.etag,
              [HEADER.lastModified]: String(version.lastModified.getTime()),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              res.statusCode === 200
                ? resolve()
                : reject(new Error(`receiver answered ${res.statusCode}: ${Buffer.concat(chunks)}`)),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
