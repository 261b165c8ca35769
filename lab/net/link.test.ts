import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Link, LinkError } from './link.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An in-process server on 127.0.0.1; `received` collects what each accepted socket sent. */
async function startServer(onSocket: (socket: Socket) => void = (s) => s.pipe(s)) {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port, sockets };
}

async function startLink(opts: Omit<ConstructorParameters<typeof Link>[0], 'name'> & { name?: string }) {
  const link = new Link({ name: 'test', ...opts });
  await link.start();
  cleanups.push(() => link.close());
  return link;
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
    cleanups.push(() => {
      socket.destroy();
    });
  });
}

/** Resolves with the bytes once `count` bytes were read from the socket. */
function readBytes(socket: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      total += chunk.length;
      if (total >= count) {
        socket.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    socket.on('data', onData);
  });
}

function closed(socket: Socket): Promise<{ error: string | undefined }> {
  return new Promise((resolve) => {
    let error: string | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code;
    });
    socket.once('close', () => resolve({ error }));
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('Link', () => {
  it('forwards bytes both ways and counts them', async () => {
    const echo = await startServer();
    const link = await startLink({ target: { host: '127.0.0.1', port: echo.port } });
    const client = await dial(link.port);
    client.write('hello wan');
    expect((await readBytes(client, 9)).toString()).toBe('hello wan');
    expect(link.stats()).toEqual({
      name: 'test',
      connections: 1,
      opened: 1,
      bytesForwarded: 18,
      bytesDropped: 0,
      isCut: false,
      latencyMs: 0,
    });
  });

  it('delays each direction by latencyMs, so a round trip takes twice the latency', async () => {
    const echo = await startServer();
    const link = await startLink({ target: { host: '127.0.0.1', port: echo.port }, latencyMs: 80 });
    const client = await dial(link.port);
    const started = performance.now();
    client.write('ping');
    await readBytes(client, 4);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(158);
    expect(elapsed).toBeLessThan(400);
  });

  it('keeps byte order when the latency drops mid-stream', async () => {
    const echo = await startServer();
    const link = await startLink({ target: { host: '127.0.0.1', port: echo.port }, latencyMs: 120 });
    const client = await dial(link.port);
    client.write('first-');
    await tick();
    link.setLatency(0);
    client.write('second');
    expect((await readBytes(client, 12)).toString()).toBe('first-second');
    expect(link.stats().latencyMs).toBe(0);
  });

  it('cut() destroys open connections and loses the bytes still in flight', async () => {
    const received: Buffer[] = [];
    const sink = await startServer((s) => s.on('data', (c: Buffer) => received.push(c)));
    const link = await startLink({ target: { host: '127.0.0.1', port: sink.port }, latencyMs: 300 });
    const client = await dial(link.port);
    const clientClosed = closed(client);
    client.write(Buffer.alloc(1000, 7));
    await tick();
    link.cut();
    await clientClosed;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(Buffer.concat(received).length).toBe(0);
    expect(link.stats()).toMatchObject({
      connections: 0,
      bytesForwarded: 0,
      bytesDropped: 1000,
      isCut: true,
    });
  });

  it('holds new connections silent while cut (blackhole) and forwards them after restore()', async () => {
    const echo = await startServer();
    const link = await startLink({ target: { host: '127.0.0.1', port: echo.port } });
    link.cut();
    const client = await dial(link.port);
    let answered = false;
    const answer = readBytes(client, 5).then((b) => {
      answered = true;
      return b.toString();
    });
    client.write('later');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    expect(echo.sockets.length).toBe(0);
    link.restore();
    expect(await answer).toBe('later');
    expect(link.stats()).toMatchObject({ opened: 1, connections: 1, isCut: false });
  });

  it('resets new connections while cut in reset mode', async () => {
    const echo = await startServer();
    const link = await startLink({ target: { host: '127.0.0.1', port: echo.port }, cutMode: 'reset' });
    link.cut();
    const client = connect({ host: '127.0.0.1', port: link.port });
    expect(await closed(client)).toEqual({ error: 'ECONNRESET' });
    expect(echo.sockets.length).toBe(0);
  });

  it('sends new connections to the new target after setTarget()', async () => {
    const a = await startServer((s) => s.end('A'));
    const b = await startServer((s) => s.end('B'));
    const link = await startLink({ target: { host: '127.0.0.1', port: a.port } });
    expect((await readBytes(await dial(link.port), 1)).toString()).toBe('A');
    link.setTarget({ host: '127.0.0.1', port: b.port });
    expect((await readBytes(await dial(link.port), 1)).toString()).toBe('B');
    expect(link.currentTarget).toEqual({ host: '127.0.0.1', port: b.port });
  });

  it('resets the client when the target refuses the connection', async () => {
    const gone = await startServer();
    const port = gone.port;
    for (const c of cleanups.splice(0)) await c();
    const link = await startLink({ target: { host: '127.0.0.1', port } });
    const client = connect({ host: '127.0.0.1', port: link.port });
    expect(await closed(client)).toEqual({ error: 'ECONNRESET' });
    expect(link.stats().connections).toBe(0);
  });

  it('delivers a server greeting sent before the client speaks, then its close', async () => {
    const greeter = await startServer((s) => s.end('welcome'));
    const link = await startLink({ target: { host: '127.0.0.1', port: greeter.port }, latencyMs: 10 });
    const client = await dial(link.port);
    const done = closed(client);
    expect((await readBytes(client, 7)).toString()).toBe('welcome');
    client.end();
    expect(await done).toEqual({ error: undefined });
  });

  it('close() drops every connection and stops listening', async () => {
    const echo = await startServer();
    const link = await startLink({ target: { host: '127.0.0.1', port: echo.port } });
    const port = link.port;
    const client = await dial(port);
    const clientClosed = closed(client);
    await link.close();
    await clientClosed;
    const refused = connect({ host: '127.0.0.1', port });
    expect(await closed(refused)).toEqual({ error: 'ECONNREFUSED' });
  });

  it('rejects a negative latency and reading the port before start', () => {
    expect(() => new Link({ name: 'wan', target: { host: '127.0.0.1', port: 1 }, latencyMs: -1 })).toThrow(
      new LinkError('LinkInvalidLatency', 'link wan: latency must be a number of ms >= 0, got -1'),
    );
    const link = new Link({ name: 'wan', target: { host: '127.0.0.1', port: 1 } });
    expect(() => link.port).toThrow('link wan: call start() before reading port');
  });
});
