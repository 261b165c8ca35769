// Test support: a local OTLP/HTTP collector on 127.0.0.1 that decodes what the exporters send (otlp-wire.ts).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  decodeMetricsJson,
  decodeMetricsProto,
  decodeTraceJson,
  decodeTraceProto,
  type WirePoint,
  type WireSpan,
} from './otlp-wire.ts';

export interface OtlpRequest {
  path: string;
  contentType: string;
  headers: IncomingMessage['headers'];
}

export interface OtlpReceiver {
  /** http://127.0.0.1:<port>: what OTEL_EXPORTER_OTLP_ENDPOINT takes. */
  url: string;
  spans: WireSpan[];
  points: WirePoint[];
  requests: OtlpRequest[];
  /** Answer every request with this status (default 200); `hang` never answers. */
  answer: number | 'hang';
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const hung: IncomingMessage[] = [];
  const receiver: OtlpReceiver = {
    url: '',
    spans: [],
    points: [],
    requests: [],
    answer: 200,
    close: async () => {
      for (const req of hung) req.socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const contentType = req.headers['content-type'] ?? '';
    const path = req.url ?? '';
    receiver.requests.push({ path, contentType, headers: req.headers });
    if (receiver.answer === 'hang') {
      hung.push(req);
      return;
    }
    const json = contentType.includes('json');
    if (receiver.answer === 200) {
      if (path === '/v1/traces')
        receiver.spans.push(...(json ? decodeTraceJson(body.toString()) : decodeTraceProto(body)));
      if (path === '/v1/metrics')
        receiver.points.push(...(json ? decodeMetricsJson(body.toString()) : decodeMetricsProto(body)));
    }
    // An empty Export*ServiceResponse: zero bytes in protobuf, {} in JSON.
    res.writeHead(receiver.answer, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
