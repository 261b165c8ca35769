// Test support: a Slack-compatible incoming webhook on 127.0.0.1 that keeps what was posted (Slack answers `ok`).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookPost {
  path: string;
  contentType: string;
  body: { text?: string; blocks?: unknown[] };
}

export interface WebhookReceiver {
  /** A URL with a secret-looking path, as Slack's are. */
  url: string;
  posts: WebhookPost[];
  /** Statuses to answer with, in order (then 200); 'hang' never answers. */
  script: (number | 'hang')[];
  attempts: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  secretPath = '/services/T000/B000/XXXXsecretXXXX',
): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    posts: [],
    script: [],
    attempts: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    receiver.attempts += 1;
    const answer = receiver.script.shift() ?? 200;
    if (answer === 'hang') return;
    if (answer === 200) {
      receiver.posts.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString()) as WebhookPost['body'],
      });
    }
    res.writeHead(answer, { 'content-type': 'text/plain' });
    res.end(answer === 200 ? 'ok' : 'error');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${secretPath}`;
  return receiver;
}
