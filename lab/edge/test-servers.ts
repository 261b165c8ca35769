// In-process http servers standing in for pods and ALBs in the edge unit tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from './http.ts';

export interface TestServer {
  port: number;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

export async function startTestServer(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => handle(req, res, body));
  });
  const port = await listenLocal(server, 0);
  return { port, requests, close: () => closeServer(server) };
}

/** A server that answers JSON naming itself, echoing the request it saw. */
export function echoServer(name: string, extraHeaders: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer((req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json', ...extraHeaders });
    res.end(JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, body }));
  });
}
