import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CommsServer, startCommsServer } from '../../../lab/comms/server.ts';
import { testRun } from '../testing.ts';
import { incidentComms } from './comms.ts';

let comms: CommsServer;
const KEY = 'sp-key-for-comms-test';
const ENV = { chat: 'DRILL_TEST_CHAT_URL', key: 'DRILL_TEST_SP_KEY' };

beforeAll(async () => {
  comms = await startCommsServer({
    chatToken: 'tok-comms-test',
    statuspage: { pageId: 'pg1', apiKey: KEY, components: { api: 'API' } },
  });
});
afterAll(() => comms.close());
afterEach(() => {
  delete process.env[ENV.chat];
  delete process.env[ENV.key];
});

const bound = () => ({
  comms: {
    chatWebhookUrl: { env: ENV.chat },
    statuspage: { apiUrl: comms.url, pageId: 'pg1', apiKey: { env: ENV.key }, componentIds: ['api'] },
  },
});

describe('incident communication steps (§7)', () => {
  it('skip, saying why, on a target that binds no comms', async () => {
    const run = testRun({}, { t0: 0 });
    const out = await incidentComms({ phase: 'start' }).run(run);
    expect(out?.detail).toBe(
      'skipped: chat skipped: target test binds no resources.comms.chatWebhookUrl; status page skipped: target test binds no resources.comms.statuspage.pageId',
    );
    expect(run.audited).toEqual([]);
  });

  it('skip when the secret is unset, naming the variable', async () => {
    const run = testRun(bound(), { t0: 0 });
    const out = await incidentComms({ phase: 'start' }).run(run);
    expect(out?.detail).toBe(
      `skipped: chat skipped: environment variable ${ENV.chat} is not set; status page skipped: environment variable ${ENV.key} is not set`,
    );
  });

  it('post DRILL start, failover, recovered and resolved with timestamps; the secrets appear nowhere', async () => {
    process.env[ENV.chat] = comms.chatWebhookUrl;
    process.env[ENV.key] = KEY;
    const run = testRun(bound(), { t0: 0 });
    const t0 = run.clock.wall(0).toISOString();
    const details: string[] = [];
    for (const phase of ['start', 'failover', 'recovered'] as const) {
      details.push((await incidentComms({ phase }).run(run))?.detail ?? '');
    }
    // The switchback is another run: it finds the open DRILL incident on the page.
    const later = testRun(bound(), { t0: 0 });
    details.push((await incidentComms({ phase: 'resolved' }).run(later))?.detail ?? '');
    const [incident] = comms.page.incidents;
    expect(details).toEqual([
      `chat: posted; status page: incident ${incident!.id} investigating, api major_outage`,
      `chat: posted; status page: incident ${incident!.id} identified, api major_outage`,
      `chat: posted; status page: incident ${incident!.id} monitoring, api degraded_performance`,
      `chat: posted; status page: incident ${incident!.id} resolved, api operational`,
    ]);
    expect(comms.page.incidents).toHaveLength(1);
    expect(incident).toMatchObject({
      name: 'DRILL — Major outage: Luneo API (eu-west-1)',
      impact_override: 'critical',
      status: 'resolved',
      metadata: { drill: { run_id: 'run-test-1' } },
    });
    expect(incident!.incident_updates.map((u) => u.status)).toEqual([
      'resolved',
      'monitoring',
      'identified',
      'investigating',
    ]);
    expect(incident!.incident_updates.at(-1)!.body).toBe(
      `DRILL — disaster-recovery exercise (run run-test-1), not a real incident. api.luneo.app is unavailable from eu-west-1 since ${t0}. We are failing over to us-east-1.`,
    );
    expect(comms.chat.map((m) => m.text.slice(0, 8))).toEqual(Array(4).fill('DRILL — '));
    expect(comms.chat[2]!.text).toMatch(
      /Service restored from us-east-1 in DR mode at \d{4}-\d\d-\d\dT.*Status page: monitoring\.$/,
    );
    const audit = JSON.stringify(run.audited);
    expect(run.audited.map((c) => `${c.service} ${c.operation}`)).toEqual([
      'chat POST incoming webhook (Slack-style)',
      'statuspage POST /v1/pages/pg1/incidents',
      'chat POST incoming webhook (Slack-style)',
      `statuspage PATCH /v1/pages/pg1/incidents/${incident!.id}`,
      'chat POST incoming webhook (Slack-style)',
      `statuspage PATCH /v1/pages/pg1/incidents/${incident!.id}`,
    ]);
    expect(audit).not.toContain('tok-comms-test');
    expect(audit).not.toContain(KEY);
    expect(details.join()).not.toContain(KEY);
  });

  it('fail with the HTTP answer when the status page refuses the key (best effort: the drill goes on)', async () => {
    process.env[ENV.key] = 'a-wrong-key';
    const step = incidentComms({ phase: 'start' });
    expect(step.bestEffort).toBe(true);
    const run = testRun({ comms: { ...bound().comms, chatWebhookUrl: undefined } }, { t0: 0 });
    await expect(step.run(run)).rejects.toThrow('status page: HTTP 401 {"error":"Could not authenticate"}');
  });

  it('list the calls it would make in a dry run', () => {
    const run = testRun(bound());
    expect(incidentComms({ phase: 'failover' }).plan?.(run)).toEqual([
      { service: 'chat', operation: 'POST incoming webhook (Slack-style)', mutating: true },
      { service: 'statuspage', operation: 'GET /v1/pages/pg1/incidents/unresolved', mutating: false },
      {
        service: 'statuspage',
        operation: 'PATCH /v1/pages/pg1/incidents/<id>',
        params: { status: 'identified' },
        mutating: true,
      },
    ]);
  });
});
