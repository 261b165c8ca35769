import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommsServer, startCommsServer } from './server.ts';

let comms: CommsServer;
const KEY = 'sp-lab-key-0123456789';
const PAGE = 'luneostatus01';

beforeAll(async () => {
  comms = await startCommsServer({
    chatToken: 'chat-token-abcdef',
    statuspage: { pageId: PAGE, apiKey: KEY, components: { api01: 'API', shop01: 'Shop' } },
  });
});
afterAll(() => comms.close());

const post = (url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST') =>
  fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const incidents = `/v1/pages/${PAGE}/incidents`;
const oauth = { authorization: `OAuth ${KEY}` };

describe('chat webhook (Slack-style)', () => {
  it('answers 404 no_service for a URL whose token is wrong, and records nothing', async () => {
    const res = await post(`${comms.url}/services/T0LUNEO/B0DRILL/wrong-token`, { text: 'hi' });
    expect([res.status, await res.text()]).toEqual([404, 'no_service']);
    expect(comms.chat).toEqual([]);
  });

  it('refuses a body that is not JSON (invalid_payload) or has no text (no_text)', async () => {
    const bad = await post(comms.chatWebhookUrl, 'not json');
    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_payload']);
    const empty = await post(comms.chatWebhookUrl, { text: '  ' });
    expect([empty.status, await empty.text()]).toEqual([400, 'no_text']);
  });

  it('accepts a message with "ok" and reads it back without the token', async () => {
    const res = await post(comms.chatWebhookUrl, { text: 'DRILL — API down', username: 'drill' });
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    const read = (await (await fetch(`${comms.url}/lab/chat/messages`)).json()) as Record<string, unknown>[];
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({
      hook: '/services/T0LUNEO/B0DRILL',
      text: 'DRILL — API down',
      payload: { text: 'DRILL — API down', username: 'drill' },
    });
    expect(JSON.stringify(read)).not.toContain('chat-token-abcdef');
  });
});

describe('Statuspage-style API', () => {
  it('answers 401 "Could not authenticate" without the OAuth key or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'OAuth nope' },
      { authorization: `Bearer ${KEY}` },
    ];
    for (const headers of attempts) {
      const res = await post(`${comms.url}${incidents}`, { incident: { name: 'x' } }, headers);
      expect([res.status, await res.json()]).toEqual([401, { error: 'Could not authenticate' }]);
    }
    expect((await fetch(`${comms.url}${incidents}`)).status).toBe(401);
    expect(comms.page.incidents).toEqual([]);
  });

  it('refuses unknown statuses, impacts and components with 422 naming the field', async () => {
    const cases: [unknown, string][] = [
      [
        { name: 'x', status: 'down' },
        'incident.status must be one of investigating, identified, monitoring, resolved (got "down")',
      ],
      [
        { name: 'x', impact_override: 'major_outage' },
        'incident.impact_override must be one of none, minor, major, critical (got "major_outage")',
      ],
      [
        { name: 'x', components: { api01: 'broken' } },
        'incident.components.api01 must be one of operational, under_maintenance, degraded_performance, partial_outage, major_outage (got "broken")',
      ],
      [
        { name: 'x', components: { db99: 'major_outage' } },
        `incident.components: no component "db99" on page ${PAGE}`,
      ],
      [{ status: 'identified' }, 'incident.name is required'],
    ];
    for (const [incident, error] of cases) {
      const res = await post(`${comms.url}${incidents}`, { incident }, oauth);
      expect([res.status, await res.json()]).toEqual([422, { error }]);
    }
    expect((await post(`${comms.url}/v1/pages/other/incidents`, { incident: {} }, oauth)).status).toBe(404);
  });

  it('creates, updates and resolves an incident with timestamps and component statuses, and reads it back', async () => {
    const created = await post(
      `${comms.url}${incidents}`,
      {
        incident: {
          name: 'DRILL — API outage',
          status: 'investigating',
          impact_override: 'critical',
          body: 'DRILL — started',
          components: { api01: 'major_outage' },
        },
      },
      oauth,
    );
    expect(created.status).toBe(201);
    const incident = (await created.json()) as Record<string, unknown> & { id: string };
    expect(incident).toMatchObject({
      page_id: PAGE,
      name: 'DRILL — API outage',
      status: 'investigating',
      impact: 'critical',
      impact_override: 'critical',
      resolved_at: null,
      components: [{ id: 'api01', name: 'API', status: 'major_outage', page_id: PAGE }],
    });
    expect(Date.parse(incident.created_at as string)).toBeGreaterThan(Date.now() - 10_000);

    const path = `${comms.url}${incidents}/${incident.id}`;
    const monitoring = await post(
      path,
      { incident: { status: 'monitoring', body: 'served from us-east-1' } },
      oauth,
      'PATCH',
    );
    expect(monitoring.status).toBe(200);
    const unresolved = (await (
      await fetch(`${comms.url}${incidents}/unresolved`, { headers: oauth })
    ).json()) as {
      id: string;
    }[];
    expect(unresolved.map((i) => i.id)).toEqual([incident.id]);

    const resolved = await post(
      path,
      { incident: { status: 'resolved', body: 'back', components: { api01: 'operational' } } },
      oauth,
      'PATCH',
    );
    const final = (await resolved.json()) as {
      status: string;
      resolved_at: string;
      components: { status: string }[];
      incident_updates: { status: string; body: string; affected_components: unknown[] }[];
    };
    expect(final.status).toBe('resolved');
    expect(typeof final.resolved_at).toBe('string');
    expect(final.components).toEqual([{ id: 'api01', name: 'API', status: 'operational', page_id: PAGE }]);
    expect(final.incident_updates.map((u) => [u.status, u.body])).toEqual([
      ['resolved', 'back'],
      ['monitoring', 'served from us-east-1'],
      ['investigating', 'DRILL — started'],
    ]);
    expect(final.incident_updates[0]!.affected_components).toEqual([
      { code: 'api01', name: 'API', old_status: 'major_outage', new_status: 'operational' },
    ]);
    const read = await (await fetch(path, { headers: oauth })).json();
    expect(read).toEqual(final);
    expect(await (await fetch(`${comms.url}${incidents}/unresolved`, { headers: oauth })).json()).toEqual([]);
  });
});
