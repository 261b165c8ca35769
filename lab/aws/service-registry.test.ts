// The endpoint finds a request's service in the registry: a new service is one binding, routed by its protocol.
import { describe, expect, it } from 'vitest';
import type { AwsRequest } from './context.ts';
import { awsJsonError } from './protocol/json.ts';
import { JSON_11, type LabAwsService, routeRequest } from './service-registry.ts';

const request = (over: Partial<AwsRequest>): AwsRequest => ({
  method: 'POST',
  path: '/',
  query: new URLSearchParams(),
  headers: {},
  body: Buffer.alloc(0),
  region: 'eu-west-1',
  signingService: undefined,
  ...over,
});

const echo: LabAwsService = {
  name: 'echo',
  json: {
    targetPrefix: 'Echo_20240101',
    contentType: JSON_11,
    fail: (e) => awsJsonError(e, JSON_11),
    throttleCode: 'ThrottlingException',
    handle: (operation, input, r) => ({ operation, input, region: r.region }),
  },
  query: {
    version: '2024-01-01',
    namespace: 'urn:echo',
    handle: (params) => `<Said>${params.action}</Said>`,
  },
};

describe('routeRequest', () => {
  it('routes a JSON target to the service that registered its prefix', async () => {
    const body = Buffer.from(JSON.stringify({ Text: 'hi' }));
    const route = routeRequest([echo], request({ headers: { 'x-amz-target': 'Echo_20240101.Say' }, body }));
    expect(route.label).toBe('echo.Say');
    expect(route.auth).toEqual({ family: 'json', service: 'echo' });
    const reply = await route.run();
    expect(JSON.parse(String(reply.body))).toEqual({
      operation: 'Say',
      input: { Text: 'hi' },
      region: 'eu-west-1',
    });
    expect(reply.headers['content-type']).toBe(JSON_11);
  });

  it('routes a query action by its API version, and answers InvalidAction for a version nobody serves', async () => {
    const said = routeRequest([echo], request({ body: Buffer.from('Action=Say&Version=2024-01-01') }));
    expect(said.label).toBe('echo.Say');
    expect(String((await said.run()).body)).toContain('<Said>Say</Said>');
    const unknown = routeRequest([echo], request({ body: Buffer.from('Action=Say&Version=1999-01-01') }));
    await expect(unknown.run()).rejects.toMatchObject({ code: 'InvalidAction' });
  });

  it('an unknown JSON target or path is an UnknownOperationException', async () => {
    const target = routeRequest([echo], request({ headers: { 'x-amz-target': 'Nope_1.Do' } }));
    await expect(target.run()).rejects.toMatchObject({ code: 'UnknownOperationException' });
    const path = routeRequest([echo], request({ method: 'GET', path: '/nowhere' }));
    await expect(path.run()).rejects.toMatchObject({ code: 'UnknownOperationException' });
  });
});
