import type { Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpError, readJsonObject, sendJson } from './respond.ts';
import { Router } from './router.ts';
import { createAppServer, listen } from './server.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server?.closeAllConnections();
  server = undefined;
  vi.restoreAllMocks();
});

async function start(router: Router): Promise<string> {
  server = createAppServer((req, res) => router.handle(req, res));
  return `http://127.0.0.1:${await listen(server, 0)}`;
}

const router = () =>
  new Router()
    .on('GET', '/things/:id', (_req, res, params) => sendJson(res, 200, { id: params.id }))
    .on('POST', '/things', async (req, res) => sendJson(res, 201, await readJsonObject(req)))
    .on('GET', '/boom', () => {
      throw new Error('kaput');
    })
    .on('GET', '/teapot', () => {
      throw new HttpError(418, 'teapot', 'short and stout');
    });

describe('createAppServer + Router', () => {
  it('passes decoded path params and logs one line per request', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const base = await start(router());
    const res = await fetch(`${base}/things/a%20b?x=1`);
    expect(await res.json()).toEqual({ id: 'a b' });
    await vi.waitFor(() =>
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/^GET \/things\/a%20b\?x=1 200 \d+ms$/)),
    );
  });

  it('answers 404 for unknown paths, 405 for a known path with another method', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const base = await start(router());
    const missing = await fetch(`${base}/nope`);
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: 'not_found', message: 'no route for GET /nope' },
    ]);
    const wrong = await fetch(`${base}/things/1`, { method: 'DELETE' });
    expect([wrong.status, await wrong.json()]).toEqual([
      405,
      { error: 'method_not_allowed', message: 'DELETE is not allowed on /things/1' },
    ]);
  });

  it('turns HttpErrors into their status and other errors into 500 internal_error', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const base = await start(router());
    const teapot = await fetch(`${base}/teapot`);
    expect([teapot.status, await teapot.json()]).toEqual([
      418,
      { error: 'teapot', message: 'short and stout' },
    ]);
    const boom = await fetch(`${base}/boom`);
    expect([boom.status, await boom.json()]).toEqual([500, { error: 'internal_error', message: 'kaput' }]);
  });

  it('reads JSON object bodies and says what is wrong with others', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const base = await start(router());
    const post = (body: string, type = 'application/json') =>
      fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': type }, body }).then(async (r) => [
        r.status,
        await r.json(),
      ]);
    expect(await post('{"a":1}')).toEqual([201, { a: 1 }]);
    expect(await post('{"a":')).toEqual([
      400,
      { error: 'invalid_json', message: 'the body is not valid JSON' },
    ]);
    expect(await post('[1]')).toEqual([
      400,
      { error: 'invalid_body', message: 'the body must be a JSON object' },
    ]);
    expect(await post('a=1', 'application/x-www-form-urlencoded')).toEqual([
      415,
      {
        error: 'unsupported_media_type',
        message: 'send the body as JSON with content-type: application/json',
      },
    ]);
  });
});
