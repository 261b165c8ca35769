// Runbook §7: the incident goes to the chat webhook and to the status page (Statuspage-style, "major outage",
// timestamps), marked DRILL, at the start, at failover, at recovery and at resolution. Unbound channels are skipped
// with the reason in the step's detail. Secrets (webhook URL, API key) are read at run time and never shown.

import { connection } from '../../../actions/connection.ts';
import { declaredStep } from '../../../actions/declared.ts';
import { DrillError } from '../../../core/errors.ts';
import type { PlannedCall, StepDefinition } from '../../../core/model.ts';
import type { LuneoRun } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import { readSecretRef } from '../secret-ref.ts';

export type IncidentPhase = 'start' | 'failover' | 'recovered' | 'resolved';
export const DRILL_MARK = 'DRILL —';
const INCIDENT_KEY = 'luneo:statuspage-incident';
const TIMEOUT_MS = 10_000;

const PHASES: Record<
  IncidentPhase,
  { status: 'investigating' | 'identified' | 'monitoring' | 'resolved'; component: string; title: string }
> = {
  start: { status: 'investigating', component: 'major_outage', title: 'Announce the incident' },
  failover: { status: 'identified', component: 'major_outage', title: 'Update the incident: failing over' },
  recovered: {
    status: 'monitoring',
    component: 'degraded_performance',
    title: 'Update the incident: recovered',
  },
  resolved: { status: 'resolved', component: 'operational', title: 'Resolve the incident' },
};

interface Sp {
  base: string;
  pageId: string;
  componentIds: string[];
}

/** The text of each phase: marked DRILL, with the outage start (T0) and the time of posting, in UTC. */
export function incidentText(
  phase: IncidentPhase,
  at: { t0: string; now: string; runId: string },
  r: LuneoResources,
): { name: string; body: string; chat: string } {
  const name = `${DRILL_MARK} Major outage: Luneo API (${r.primary.region})`;
  const exercise = `${DRILL_MARK} disaster-recovery exercise (run ${at.runId}), not a real incident.`;
  const body = {
    start: `${exercise} api.luneo.app is unavailable from ${r.primary.region} since ${at.t0}. We are failing over to ${r.secondary.region}.`,
    failover: `${exercise} Failover to ${r.secondary.region} in progress since ${at.t0}: database promoted, traffic moving (${at.now}).`,
    recovered: `${exercise} Service restored from ${r.secondary.region} in DR mode at ${at.now} (outage since ${at.t0}). Orders and AI renders work; the primary region will be restored in a planned window.`,
    resolved: `${exercise} Resolved at ${at.now}: service back on ${r.primary.region}.`,
  }[phase];
  return { name, body, chat: `${body} Status page: ${PHASES[phase].status}.` };
}

function plan(phase: IncidentPhase) {
  return (ctx: LuneoRun): PlannedCall[] => {
    const c = ctx.target.resources.comms;
    const calls: PlannedCall[] = [];
    if (c?.chatWebhookUrl) {
      calls.push({ service: 'chat', operation: 'POST incoming webhook (Slack-style)', mutating: true });
    }
    if (c?.statuspage?.pageId) {
      const path = `/v1/pages/${c.statuspage.pageId}/incidents`;
      if (phase !== 'start') {
        calls.push({ service: 'statuspage', operation: `GET ${path}/unresolved`, mutating: false });
      }
      calls.push({
        service: 'statuspage',
        operation: phase === 'start' ? `POST ${path}` : `PATCH ${path}/<id>`,
        params: { status: PHASES[phase].status },
        mutating: true,
      });
    }
    return calls;
  };
}

async function send(
  url: string,
  init: { method: string; body?: unknown; authorization?: string },
  signal: AbortSignal,
  what: string,
): Promise<unknown> {
  const response = await fetch(url, {
    method: init.method,
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.authorization ? { authorization: init.authorization } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
  }).catch((error: Error) => {
    throw new DrillError('E_STEP_FAILED', `${what}: no answer (${error.message})`, { retryable: true });
  });
  const text = await response.text();
  if (!response.ok) {
    throw new DrillError('E_STEP_FAILED', `${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function postChat(ctx: LuneoRun, text: string): Promise<string> {
  const ref = ctx.target.resources.comms?.chatWebhookUrl;
  if (!ref) return `chat skipped: target ${ctx.target.name} binds no resources.comms.chatWebhookUrl`;
  const url = await readSecretRef(ctx, ref);
  if ('missing' in url) return `chat skipped: ${url.missing}`;
  await ctx.audit.mutate(
    { service: 'chat', operation: 'POST incoming webhook (Slack-style)', params: { text }, mutating: true },
    () =>
      send(
        url.value,
        { method: 'POST', body: { text, username: 'luneo-dr-drill' } },
        ctx.signal,
        'chat webhook',
      ),
  );
  return 'chat: posted';
}

async function statuspage(ctx: LuneoRun): Promise<Sp | { skip: string }> {
  const sp = ctx.target.resources.comms?.statuspage;
  if (!sp?.pageId) return { skip: `target ${ctx.target.name} binds no resources.comms.statuspage.pageId` };
  // The API as the target resolved it (the lab's comms endpoint is known once the lab is up).
  const base = (await connection(ctx)).r.comms?.statuspage?.apiUrl ?? sp.apiUrl;
  if (base === 'lab:comms')
    return { skip: 'the running lab has no comms endpoint (it predates them): restart it' };
  return { base: base.replace(/\/$/, ''), pageId: sp.pageId, componentIds: sp.componentIds };
}

interface IncidentReply {
  id: string;
  name: string;
  status: string;
}

async function postStatus(ctx: LuneoRun, phase: IncidentPhase, text: { name: string; body: string }) {
  const sp = await statuspage(ctx);
  if ('skip' in sp) return `status page skipped: ${sp.skip}`;
  const key = await readSecretRef(ctx, ctx.target.resources.comms!.statuspage!.apiKey);
  if ('missing' in key) return `status page skipped: ${key.missing}`;
  const authorization = `OAuth ${key.value}`;
  const incidents = `${sp.base}/v1/pages/${sp.pageId}/incidents`;
  const { status, component } = PHASES[phase];
  const components = Object.fromEntries(sp.componentIds.map((id) => [id, component]));
  let id = ctx.state.get(INCIDENT_KEY) as string | undefined;
  if (!id && phase !== 'start') {
    // Another run (the failover drill) opened it: the newest unresolved DRILL incident is ours.
    const open = (await send(
      `${incidents}/unresolved`,
      { method: 'GET', authorization },
      ctx.signal,
      'status page',
    )) as IncidentReply[] | undefined;
    id = open?.find((i) => i.name.startsWith(DRILL_MARK))?.id;
  }
  if (!id && phase === 'resolved')
    return `status page: no unresolved ${DRILL_MARK} incident on page ${sp.pageId}`;
  const operation = id
    ? `PATCH /v1/pages/${sp.pageId}/incidents/${id}`
    : `POST /v1/pages/${sp.pageId}/incidents`;
  const incident = {
    name: text.name,
    status,
    body: text.body,
    components,
    ...(id ? {} : { impact_override: 'critical', metadata: { drill: { run_id: ctx.runId } } }),
  };
  const reply = (await ctx.audit.mutate(
    { service: 'statuspage', operation, scope: sp.base, params: { status, name: text.name }, mutating: true },
    () =>
      send(
        id ? `${incidents}/${id}` : incidents,
        { method: id ? 'PATCH' : 'POST', body: { incident }, authorization },
        ctx.signal,
        'status page',
      ),
  )) as IncidentReply;
  ctx.state.set(INCIDENT_KEY, reply.id);
  const marked = sp.componentIds.length ? `, ${sp.componentIds.join(', ')} ${component}` : '';
  return `status page: incident ${reply.id} ${reply.status}${marked}`;
}

/** One §7 step: the phase's message to the chat and to the status page. Best effort: comms never block the failover. */
export function incidentComms(opts: {
  phase: IncidentPhase;
  id?: string;
  plannedAt?: string;
  runbook?: '§7' | '§11';
}): StepDefinition<LuneoResources> {
  const { phase } = opts;
  return declaredStep<LuneoResources>({
    id: opts.id ?? `comms-${phase}`,
    title: `${PHASES[phase].title} (${DRILL_MARK} chat + status page "${PHASES[phase].status}")`,
    runbook: opts.runbook ?? '§7',
    plannedAt: opts.plannedAt,
    timeout: '30s',
    bestEffort: true,
    calls: plan(phase),
    async run(ctx) {
      const now = new Date().toISOString();
      const t0 = ctx.clock.t0 === undefined ? now : ctx.clock.wall(ctx.clock.t0).toISOString();
      const text = incidentText(phase, { t0, now, runId: ctx.runId }, ctx.target.resources);
      const parts = [await postChat(ctx, text.chat), await postStatus(ctx, phase, text)];
      const incidentId = ctx.state.get(INCIDENT_KEY) as string | undefined;
      const skipped = parts.every((p) => p.includes(' skipped: '));
      const setup = ctx.target.resources.comms?.setup;
      const hint = setup && parts.some((p) => p.includes(' skipped: ')) ? ` (to bind them: ${setup})` : '';
      return {
        detail: `${skipped ? 'skipped: ' : ''}${parts.join('; ')}${hint}`,
        measurements: { postedAt: ctx.clock.now() },
        ...(incidentId ? { undoData: { incidentId } } : {}),
      };
    },
    // A drill rolled back before its failover completed closes the incident it opened.
    ...(phase === 'start'
      ? {
          async undo(ctx: LuneoRun, undoData: unknown) {
            const incidentId = (undoData as { incidentId?: string } | undefined)?.incidentId;
            if (incidentId) ctx.state.set(INCIDENT_KEY, incidentId);
            const now = new Date().toISOString();
            const body = `${DRILL_MARK} disaster-recovery exercise (run ${ctx.runId}) aborted and rolled back at ${now}.`;
            await postChat(ctx, body);
            if (incidentId) {
              const name = incidentText(
                'start',
                { t0: now, now, runId: ctx.runId },
                ctx.target.resources,
              ).name;
              await postStatus(ctx, 'resolved', { name, body });
            }
          },
        }
      : {}),
  });
}
