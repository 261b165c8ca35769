/// <reference lib="dom" />
// The live page: folds the run's events (server-sent, ids = line numbers) into view-state.ts's view and draws it.
// Every text from a run goes in through textContent: nothing from an event is ever parsed as HTML.
import { formatDuration } from '../../core/duration.ts';
import type { DrillEvent } from '../../core/events.ts';
import {
  achievedText,
  availabilitySamples,
  checkSamples,
  emptyView,
  applyEvent as fold,
  type LedgerSnapshot,
  type LiveStep,
  type LiveView,
  ledgerCounts,
  offsetText,
  rtoClock,
  rtoObjectiveMs,
  servingAgainSinceT0,
  type UndoSnapshot,
  waitingCheckpoints,
} from '../view-state.ts';

const view: LiveView = emptyView();
let haltRequested = false;
const $ = (id: string) => document.getElementById(id) as HTMLElement;
const SVG = 'http://www.w3.org/2000/svg';

type Child = Node | string | null | undefined | false;

function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c) node.append(c);
  return node;
}

function svg(tag: string, attrs: Record<string, string | number>, title?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    node.append(t);
  }
  return node;
}

/** Rebuilds a section only when what it shows changed: a button under someone's pointer is never swapped out. */
function replaceIfChanged(node: HTMLElement, signature: unknown, build: () => Node[]): void {
  const text = JSON.stringify(signature);
  if (node.dataset.signature === text) return;
  node.dataset.signature = text;
  node.replaceChildren(...build());
}

const badge = (text: string, cls: string) => el('span', { class: `badge ${cls}` }, text);
const ms = (value: number | undefined) => (value === undefined ? '' : formatDuration(value));

// --- the stream -------------------------------------------------------------------------------------------------

const source = new EventSource('events');
source.onmessage = (message) => {
  const id = Number(message.lastEventId);
  if (id <= view.lastId) return; // already folded in (a resumed stream never repeats, but be sure)
  applyEvent(JSON.parse(message.data) as DrillEvent, id);
};
source.addEventListener('undos', (message) => {
  view.undos = JSON.parse((message as MessageEvent<string>).data) as UndoSnapshot;
  schedule();
});
source.addEventListener('ledger', (message) => {
  view.ledger = JSON.parse((message as MessageEvent<string>).data) as LedgerSnapshot;
  schedule();
});
// The server has sent the whole record (run-end, then the last snapshots): nothing more will come.
source.addEventListener('end', () => {
  source.close();
  connection('run over: this is its full record');
});
source.onopen = () => connection('live');
source.onerror = () => {
  if (view.end) return;
  connection(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…');
};

function applyEvent(event: DrillEvent, id: number): void {
  fold(view, event, id);
  schedule();
}

function connection(text: string): void {
  $('connection').textContent = text;
}

let pending = false;
function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}
setInterval(() => {
  if (view.t0 && !view.end) schedule();
}, 200);

// --- buttons ----------------------------------------------------------------------------------------------------

const person = $('person') as HTMLInputElement;
person.value = localStorage.getItem('drill-person') ?? '';
person.addEventListener('input', () => localStorage.setItem('drill-person', person.value));

async function postJson(path: string, body: Record<string, string>): Promise<string> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, by: person.value }),
  });
  const answer = (await res.json()) as { error?: string };
  if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  return JSON.stringify(answer);
}

$('halt').addEventListener('click', () => {
  $('halt-confirm').hidden = false;
});
$('halt-no').addEventListener('click', () => {
  $('halt-confirm').hidden = true;
});
$('halt-yes').addEventListener('click', async () => {
  $('halt-confirm').hidden = true;
  ($('halt') as HTMLButtonElement).disabled = true;
  try {
    const answer = JSON.parse(await postJson('halt', {})) as { request: { by: string; at: string } };
    haltRequested = true;
    $('control-status').textContent =
      `halt requested by ${answer.request.by} at ${answer.request.at}: the drill stops and rolls back`;
  } catch (error) {
    $('control-status').textContent = `halt refused: ${(error as Error).message}`;
    ($('halt') as HTMLButtonElement).disabled = false;
  }
});

async function confirm(stepId: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    await postJson('checkpoints/confirm', { stepId });
    $('control-status').textContent = `checkpoint "${stepId}" confirmed`;
  } catch (error) {
    $('control-status').textContent = `confirmation refused: ${(error as Error).message}`;
    button.disabled = false;
  }
}

// --- drawing ----------------------------------------------------------------------------------------------------

function render(): void {
  document.body.dataset.events = String(view.lastId);
  renderHeader();
  renderCheckpoints();
  renderClock();
  renderLedger();
  renderVerdict();
  renderChart();
  replaceIfChanged($('phases'), view.phases, () =>
    view.phases.map((p) =>
      el(
        'li',
        { class: p.status, 'data-phase': p.phase, 'data-status': p.status },
        `${p.phase} ${p.status}${p.durationMs === undefined ? '' : ` ${formatDuration(p.durationMs)}`}`,
      ),
    ),
  );
  renderSteps();
  renderProbes();
  renderUndos();
  $('warnings-section').hidden = view.warnings.length === 0;
  const warnings = view.warnings.slice(-20);
  replaceIfChanged($('warnings'), warnings, () => warnings.map((w) => el('li', {}, w)));
}

function renderHeader(): void {
  const run = view.run;
  if (!run) return;
  document.title = `Drill ${run.scenario} on ${run.target}${view.end ? `: ${view.end.outcome}` : ' (running)'}`;
  $('title').textContent = `Drill ${run.scenario} on ${run.target}${run.dryRun ? ' (dry run)' : ''}`;
  const started = view.startedWallMs === undefined ? '' : new Date(view.startedWallMs).toISOString();
  const t0 = view.t0 ? new Date(view.t0.wallMs).toISOString() : 'not yet (no fault injected)';
  $('subtitle').textContent = `run ${run.runId} · started ${started} · T0 ${t0}`;
  const state = $('state');
  state.textContent = view.end ? view.end.outcome.toUpperCase() : 'RUNNING';
  state.className = `badge ${view.end ? view.end.outcome : 'running'}`;
  ($('halt') as HTMLButtonElement).disabled = Boolean(view.end) || haltRequested;
}

function renderCheckpoints(): void {
  const waiting = waitingCheckpoints(view);
  const settled = view.checkpoints.filter((c) => c.state !== 'waiting');
  $('checkpoints-section').hidden = waiting.length === 0 && settled.length === 0;
  replaceIfChanged($('checkpoints'), [waiting, settled], () => [
    ...waiting.map((c) => {
      const button = el('button', { type: 'button', 'data-step-id': c.stepId }, 'Confirm done');
      button.addEventListener('click', () => confirm(c.stepId, button as HTMLButtonElement));
      return el(
        'li',
        { class: 'checkpoint waiting', 'data-step-id': c.stepId },
        badge('waiting', 'waiting'),
        ` ${c.runbook ? `${c.runbook} ` : ''}${c.title}`,
        c.instruction ? el('div', { class: 'detail' }, c.instruction) : null,
        el(
          'div',
          { class: 'detail' },
          `waiting since ${c.sinceT0Ms === undefined ? 'before T0' : offsetText(c.sinceT0Ms)}; after ${formatDuration(c.waitUpToMs)} without an answer the drill will ${c.onTimeout === 'abort' ? 'abort' : 'go on'}`,
        ),
        button,
      );
    }),
    ...settled.map((c) =>
      el(
        'li',
        { class: `checkpoint ${c.state}`, 'data-step-id': c.stepId },
        badge(c.state, c.state === 'confirmed' ? 'ok' : 'failed'),
        ` ${c.title}`,
        el(
          'div',
          { class: 'detail' },
          c.state === 'confirmed'
            ? `confirmed by ${c.by ?? '?'} (${c.via ?? '?'})${c.waitedMs === undefined ? '' : ` after ${formatDuration(c.waitedMs)}`}`
            : `nobody answered within ${formatDuration(c.waitUpToMs)}`,
        ),
      ),
    ),
  ]);
}

function renderClock(): void {
  const clock = rtoClock(view, Date.now());
  if (!clock) return;
  $('rto-clock').textContent = `${clock.running ? 'T0+' : ''}${formatDuration(clock.elapsedMs)}`;
  const objective = clock.objectiveMs;
  const share = objective ? Math.min(1, clock.elapsedMs / objective) : 0;
  const bar = $('rto-bar');
  bar.style.width = `${(share * 100).toFixed(2)}%`;
  bar.className = objective && clock.elapsedMs > objective ? 'breached' : '';
  $('rto-label').textContent =
    `${clock.label}${objective ? ` · objective ${formatDuration(objective)} (${Math.round(share * 100)} % used)` : ''}`;
}

function renderLedger(): void {
  const rpo = view.end?.rpo;
  const node = $('ledger');
  if (rpo) {
    const lost = rpo.lostSeqs.map((s) => `#${s}`).join(', ');
    node.textContent = `${rpo.acknowledgedCount} acknowledged, ${rpo.lostCount} lost${rpo.lostCount ? ` (${lost}${rpo.lostCount > rpo.lostSeqs.length ? ', …' : ''})` : ''}`;
    node.className = rpo.lostCount ? 'late' : '';
  } else if (view.ledger) {
    const counts = ledgerCounts(view.ledger);
    node.textContent = `${counts.acknowledged} acknowledged, ${counts.lost.length} lost${counts.lost.length ? ` (${counts.lost.map((s) => `#${s}`).join(', ')})` : ''}`;
    node.className = counts.lost.length ? 'late' : '';
  } else if (view.end) {
    node.textContent = view.ledgerName
      ? `ledger "${view.ledgerName}" not collected: the run ended before recovery`
      : 'no ledger in this run';
  } else if (view.ledgerName) {
    node.textContent = `ledger "${view.ledgerName}" writing from before T0; its writes are counted after recovery`;
  }
}

function renderVerdict(): void {
  const end = view.end;
  $('verdict-section').hidden = !end;
  if (!end) return;
  const verdict = $('verdict');
  verdict.textContent = end.outcome.toUpperCase();
  verdict.className = `badge ${end.outcome}`;
  $('reason').textContent = end.reason;
  const row = (name: 'rto' | 'rpo') => {
    const m = end[name];
    $(`${name}-achieved`).textContent = achievedText(m);
    $(`${name}-objective`).textContent = m ? formatDuration(m.objectiveMs) : '';
    $(`${name}-met`).replaceChildren(
      m ? badge(m.met ? 'met' : 'BREACHED', m.met ? 'met' : 'breached') : badge('not measured', 'skipped'),
    );
  };
  row('rto');
  row('rpo');
  const rpo = end.rpo;
  $('rpo-losses').textContent = rpo
    ? rpo.lostCount === 0
      ? `no acknowledged write lost (of ${rpo.acknowledgedCount})`
      : `${rpo.lostCount} of ${rpo.acknowledgedCount} acknowledged writes lost`
    : '';
  $('way-backs').replaceChildren(
    ...end.pendingWayBacks.map((w) =>
      el('li', {}, `irreversible: "${w.title}" was not undone; way back: ${w.wayBack}`),
    ),
  );
}

function renderChart(): void {
  const samples = availabilitySamples(view);
  const t0 = view.t0;
  if (!t0 || samples.length === 0) return;
  const probes = [...new Set(samples.map((s) => s.probe))];
  const writes = view.ledger?.writes.map((w) => ({ ...w, sinceT0Ms: w.sentAtMs - t0.at })) ?? [];
  const now = view.end?.sinceT0Ms ?? Date.now() - t0.wallMs;
  const first = Math.min(0, ...writes.map((w) => w.sinceT0Ms));
  const last = Math.max(1000, now, ...samples.map((s) => (s.sentSinceT0Ms ?? 0) + (s.latencyMs ?? 0)));
  const W = 1000;
  const LABEL = 130;
  const ROW = 24;
  const rows = probes.length + (writes.length ? 1 : 0);
  const H = 30 + rows * ROW + 24;
  const x = (t: number) => LABEL + ((W - LABEL - 10) * (t - first)) / (last - first);
  const chart = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': 'availability samples since T0',
    'font-size': 12,
  });
  chart.append(svg('rect', { width: W, height: H, fill: '#fff' }));
  const step = niceStep(last - first);
  for (let t = Math.ceil(first / step) * step; t <= last; t += step) {
    chart.append(svg('line', { x1: x(t), x2: x(t), y1: 20, y2: 30 + rows * ROW, stroke: '#e0e0e0' }));
    const label = svg('text', { x: x(t), y: H - 6, 'text-anchor': 'middle', fill: '#555' });
    label.textContent = t === 0 ? 'T0' : offsetText(t).replace('T0', '');
    chart.append(label);
  }
  let y = 30;
  for (const probe of probes) {
    const own = samples
      .filter((s) => s.probe === probe)
      .sort((a, b) => (a.sentSinceT0Ms ?? 0) - (b.sentSinceT0Ms ?? 0));
    const name = svg('text', { x: LABEL - 8, y: y + 15, 'text-anchor': 'end' });
    name.textContent = `probe ${probe}`;
    chart.append(name);
    own.forEach((s, i) => {
      const from = s.sentSinceT0Ms ?? 0;
      const to = own[i + 1]?.sentSinceT0Ms ?? from + (s.latencyMs ?? 250);
      chart.append(
        svg(
          'rect',
          {
            class: `sample ${s.ok ? 'ok' : 'fail'}`,
            x: x(from),
            y: y + 4,
            width: Math.max(1, x(to) - x(from)),
            height: ROW - 8,
            fill: s.ok ? '#66bb6a' : '#e53935',
          },
          `${probe} ${s.ok ? 'ok' : 'FAIL'} at ${offsetText(from)}${s.detail ? `: ${s.detail}` : ''}`,
        ),
      );
    });
    y += ROW;
  }
  if (writes.length) {
    const name = svg('text', { x: LABEL - 8, y: y + 15, 'text-anchor': 'end' });
    name.textContent = `canary writes`;
    chart.append(name);
    for (const w of writes.filter((w) => w.acked))
      chart.append(
        svg(
          'rect',
          {
            class: `write ${w.survived ? 'kept' : 'lost'}`,
            x: x(w.sinceT0Ms),
            y: y + 4,
            width: 2,
            height: ROW - 8,
            fill: w.survived ? '#2e7d32' : '#c62828',
          },
          `write #${w.seq} at ${offsetText(w.sinceT0Ms)}: ${w.survived ? 'on the new primary' : 'LOST'}`,
        ),
      );
  }
  const serving = servingAgainSinceT0(view);
  const recovered = view.end?.rto?.achievedMs ?? serving;
  if (recovered !== undefined && recovered !== null) {
    chart.append(
      svg('line', {
        class: 'recovered',
        x1: x(recovered),
        x2: x(recovered),
        y1: 16,
        y2: 30 + rows * ROW,
        stroke: '#6a1b9a',
        'stroke-dasharray': '4 3',
      }),
    );
    const label = svg('text', { x: x(recovered), y: 13, 'text-anchor': 'middle', fill: '#6a1b9a' });
    label.textContent = `${view.end?.rto ? 'recovered' : 'serving again'} ${offsetText(recovered)}`;
    chart.append(label);
  }
  const objective = rtoObjectiveMs(view);
  if (objective !== undefined && objective <= last)
    chart.append(
      svg('line', { x1: x(objective), x2: x(objective), y1: 16, y2: 30 + rows * ROW, stroke: '#c62828' }),
    );
  $('chart').replaceChildren(chart);
}

function niceStep(span: number): number {
  for (const s of [1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3]) if (span / s <= 12) return s;
  return 1_800e3;
}

function renderSteps(): void {
  const body = $('steps').querySelector('tbody') as HTMLElement;
  const existing = new Map<string, HTMLElement>();
  for (const row of Array.from(body.children) as HTMLElement[]) existing.set(row.dataset.key ?? '', row);
  const rows = view.steps.map((s) => {
    const row = existing.get(s.key) ?? el('tr', { 'data-key': s.key, 'data-step-id': s.stepId });
    existing.delete(s.key);
    fillStep(row, s);
    return row;
  });
  for (const stale of existing.values()) stale.remove();
  body.append(...rows); // in order: moves rows that exist, adds new ones
}

function fillStep(row: HTMLElement, s: LiveStep): void {
  const nowSinceT0 = view.t0 ? Date.now() - view.t0.wallMs : undefined;
  const runningLate =
    s.status === 'running' && s.plannedAtMs !== undefined && nowSinceT0 !== undefined && !view.end
      ? nowSinceT0 - s.plannedAtMs
      : 0;
  const late = s.lateByMs ?? (runningLate > 0 ? runningLate : undefined);
  const took =
    s.durationMs ??
    (s.status === 'running' && s.startedWallMs && !view.end ? Date.now() - s.startedWallMs : undefined);
  if (row.dataset.status !== s.status) row.dataset.status = s.status;
  row.className = `step-${s.status}`;
  row.replaceChildren(
    el('td', {}, s.phase ?? ''),
    el('td', {}, s.runbook ?? ''),
    el(
      'td',
      {},
      s.title,
      s.error || s.detail ? el('div', { class: 'detail' }, s.error ?? s.detail ?? '') : null,
    ),
    el('td', {}, badge(s.status, s.status)),
    el(
      'td',
      { class: 'num' },
      s.startedSinceT0Ms !== undefined
        ? offsetText(s.startedSinceT0Ms)
        : s.status === 'planned'
          ? ''
          : 'before T0',
    ),
    el('td', { class: 'num' }, s.plannedAtMs === undefined ? '' : offsetText(s.plannedAtMs)),
    el(
      'td',
      { class: `num${late ? ' late' : ''}` },
      late ? `${formatDuration(late)}${s.lateByMs === undefined ? ' (running)' : ''}` : '',
    ),
    el('td', { class: 'num' }, ms(took)),
  );
}

function renderProbes(): void {
  const line = (stage: string, s: { probe: string; ok: boolean; detail?: string; lost?: number }) =>
    el(
      'li',
      { 'data-probe': s.probe, 'data-stage': stage },
      badge(s.ok ? 'ok' : 'FAIL', s.ok ? 'ok' : 'failed'),
      ` ${stage}: ${s.probe}${s.lost ? ` (${s.lost} lost)` : ''}`,
      s.detail ? el('div', { class: 'detail' }, s.detail) : null,
    );
  const recovery = new Map<string, { samples: number; failures: number }>();
  for (const s of availabilitySamples(view)) {
    const r = recovery.get(s.probe) ?? { samples: 0, failures: 0 };
    r.samples += 1;
    if (!s.ok) r.failures += 1;
    recovery.set(s.probe, r);
  }
  replaceIfChanged($('probes'), [view.samples.length, [...recovery]], () => [
    ...checkSamples(view, 'preflight').map((s) => line('steady state', s)),
    ...[...recovery].map(([probe, r]) =>
      el(
        'li',
        { 'data-probe': probe, 'data-stage': 'recovery' },
        `recovery: ${probe}: ${r.samples} samples, ${r.failures} failed`,
      ),
    ),
    ...checkSamples(view, 'verify').map((s) => line('verify', s)),
  ]);
}

function renderUndos(): void {
  const undos = view.undos;
  const ran = view.undoEvents.map((u) =>
    el(
      'li',
      { 'data-undo': u.stepId },
      badge(u.status, u.status),
      ` ${u.title}${u.note ? `: ${u.note}` : u.error ? `: ${u.error}` : ''}`,
    ),
  );
  const open = (undos?.undos ?? [])
    .filter((u) => u.status === 'pending' || u.status === 'failed')
    .reverse()
    .map((u) =>
      el('li', { class: 'pending-undo', 'data-undo': u.stepId }, badge(u.status, 'pending'), ` ${u.title}`),
    );
  const irreversible = (undos?.irreversible ?? []).map((i) =>
    el('li', {}, badge('irreversible', 'deviation'), ` ${i.title}: ${i.reason}; way back: ${i.wayBack}`),
  );
  const items = [...open, ...ran, ...irreversible];
  replaceIfChanged($('undos'), [undos, view.undoEvents.length], () =>
    items.length ? items : [el('li', { class: 'muted' }, 'nothing registered yet')],
  );
}
