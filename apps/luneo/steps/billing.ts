// Runbook §10 "usage billing": a metering client posts usage events with idempotency keys through the public URL for
// the whole drill, keeping the unacknowledged ones in its outbox; after recovery the check compares what the API
// acknowledged with what the serving writer stores, re-delivers what the failover lost, and proves each event is
// stored exactly once (lost events are counted like lost writes).
import { declaredProbe } from '../../../actions/declared.ts';
import type { BackgroundActivity, JsonValue, ProbeDefinition } from '../../../core/model.ts';
import { guardProbe, ProbeFailure } from '../../../probes/outcome.ts';
import { ms } from '../../../probes/timing.ts';
import { type LuneoRun, luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

const METER_KEY = 'luneo:usage-meter';

interface MeterState {
  prefix: string;
  /** seq → time the API acknowledged it (null: still in the outbox). */
  acked: Map<number, number | null>;
  next: number;
  retries: number;
  timer?: NodeJS.Timeout;
  inflight?: Promise<void>;
}

const keyOf = (prefix: string, seq: number) => `${prefix}${seq}`;

async function post(
  base: string,
  key: string,
  signal: AbortSignal,
): Promise<'created' | 'duplicate' | string> {
  try {
    const response = await fetch(`${base}/api/usage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idempotencyKey: key, kind: 'meter', ref: 'drill' }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]),
    });
    const body = (await response.json().catch(() => ({}))) as { stored?: string };
    return response.ok && body.stored ? body.stored : `HTTP ${response.status}`;
  } catch (error) {
    if (signal.aborted) throw error;
    return (error as Error).message;
  }
}

/** One tick: send the next event, and retry (same key) up to 4 the outbox still holds. */
async function tick(
  state: MeterState,
  base: string,
  clock: () => number,
  signal: AbortSignal,
): Promise<void> {
  const pending = [...state.acked]
    .filter(([, at]) => at === null)
    .map(([seq]) => seq)
    .slice(0, 4);
  state.retries += pending.length;
  const seq = state.next++;
  state.acked.set(seq, null);
  await Promise.all(
    [...pending, seq].map(async (s) => {
      const answer = await post(base, keyOf(state.prefix, s), signal);
      if (answer === 'created' || answer === 'duplicate') state.acked.set(s, clock());
    }),
  );
}

/** The metering client: one usage event every `interval` through the public URL, at-least-once with its outbox. */
export function usageMeter(opts: { interval?: string } = {}): BackgroundActivity<LuneoResources> {
  const everyMs = ms(opts.interval ?? '250ms', '250ms');
  return {
    name: 'usage-meter',
    async start(ctx) {
      const base = (await luneo(ctx)).publicUrl;
      const state: MeterState = { prefix: `meter:${ctx.runId}:`, acked: new Map(), next: 1, retries: 0 };
      ctx.state.set(METER_KEY, state);
      state.timer = setInterval(() => {
        if (state.inflight) return; // a slow API: skip the tick rather than pile requests up
        state.inflight = tick(state, base, () => ctx.clock.now(), ctx.signal)
          .catch(() => {})
          .finally(() => {
            state.inflight = undefined;
          });
      }, everyMs);
    },
    async stop(ctx) {
      const state = ctx.state.get(METER_KEY) as MeterState | undefined;
      if (!state) return null;
      clearInterval(state.timer);
      await state.inflight;
      const pending = [...state.acked.values()].filter((at) => at === null).length;
      return { sent: state.acked.size, acked: state.acked.size - pending, pending, retries: state.retries };
    },
  };
}

interface Stored {
  count: number;
  events: { idempotencyKey: string; region: string }[];
}

async function storedEvents(base: string, prefix: string, signal: AbortSignal): Promise<Stored> {
  const url = `${base}/api/usage?prefix=${encodeURIComponent(prefix)}`;
  const response = await fetch(url, { signal }).catch((error: Error) => {
    throw new ProbeFailure(`GET ${url} failed: ${error.message}`);
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new ProbeFailure(
      `GET ${url} returned HTTP ${response.status}, expected 200: ${text.slice(0, 200)}`,
    );
  }
  return JSON.parse(text) as Stored;
}

/**
 * Judges a meter ledger against what the writer stores: lost = acknowledged but absent, duplicated = stored more
 * than once (or twice under one key). Exported for its unit tests.
 */
export function compareUsage(
  acked: string[],
  stored: string[],
): { lost: string[]; duplicated: string[]; unacknowledged: string[] } {
  const counts = new Map<string, number>();
  for (const key of stored) counts.set(key, (counts.get(key) ?? 0) + 1);
  const ackedSet = new Set(acked);
  return {
    lost: acked.filter((k) => !counts.has(k)),
    duplicated: [...counts].filter(([, n]) => n > 1).map(([k]) => k),
    // Stored though never acknowledged (the answer was lost): billed once, which is right.
    unacknowledged: [...counts.keys()].filter((k) => !ackedSet.has(k)),
  };
}

/** §10: every usage event the API acknowledged is stored exactly once on the serving writer. */
export function billingUsage(opts: { timeout?: string } = {}): ProbeDefinition<LuneoResources> {
  const name = 'billing-usage';
  const timeout = opts.timeout ?? '30s';
  return declaredProbe<LuneoResources>({
    name,
    description: 'No usage event lost or duplicated across the failover (runbook §10, usage billing)',
    runbook: '§10',
    timeout,
    calls: (ctx: LuneoRun) => [
      {
        service: 'http',
        operation: `GET ${ctx.target.resources.publicUrl}/api/usage?prefix=meter:<run-id>:`,
        mutating: false,
      },
      {
        service: 'http',
        operation: `POST ${ctx.target.resources.publicUrl}/api/usage (outbox re-delivery)`,
        mutating: true,
      },
    ],
    check: (ctx, { signal }) =>
      guardProbe(signal, { name, timeoutMs: ms(timeout, '30s'), setting: `${name}.timeout` }, async (run) => {
        const state = ctx.state.get(METER_KEY) as MeterState | undefined;
        if (!state || state.acked.size === 0) {
          throw new ProbeFailure(
            'no usage meter ran in this drill: add usageMeter() to the scenario background',
          );
        }
        const base = (await luneo(ctx)).publicUrl;
        const ackedKeys = [...state.acked]
          .filter(([, at]) => at !== null)
          .map(([seq]) => keyOf(state.prefix, seq));
        const before = await storedEvents(base, state.prefix, run.signal);
        const first = compareUsage(
          ackedKeys,
          before.events.map((e) => e.idempotencyKey),
        );
        // The outbox replays what the writer lost and what was never acknowledged: each must be stored once now.
        const outbox = [...state.acked]
          .filter(([, at]) => at === null)
          .map(([seq]) => keyOf(state.prefix, seq));
        const replies: string[] = [];
        for (const key of [...first.lost, ...outbox])
          replies.push(`${key} ${await post(base, key, run.signal)}`);
        const after = await storedEvents(base, state.prefix, run.signal);
        const final = compareUsage(
          [...ackedKeys, ...outbox],
          after.events.map((e) => e.idempotencyKey),
        );
        const region = after.events.at(-1)?.region ?? 'unknown';
        const data: Record<string, JsonValue> = {
          acked: ackedKeys.length,
          stored: after.count,
          lostInFailover: first.lost.length,
          redelivered: replies,
          duplicated: final.duplicated,
          loss: { what: 'usage events', count: first.lost.length, items: first.lost },
        };
        if (final.lost.length > 0 || final.duplicated.length > 0) {
          throw new ProbeFailure(
            `usage events not stored exactly once on the writer (${region}): ${final.lost.length} missing after re-delivery (${final.lost.slice(0, 5).join(', ')}), ${final.duplicated.length} duplicated (${final.duplicated.slice(0, 5).join(', ')})`,
            data,
          );
        }
        const lost = first.lost.length
          ? `${first.lost.length} lost in the failover and re-delivered from the meter's outbox (${first.lost.slice(0, 5).join(', ')})`
          : 'none lost in the failover';
        return {
          ok: true,
          detail: `${ackedKeys.length} usage events acknowledged, ${after.count} stored exactly once on the writer (${region}); ${lost}; 0 duplicated`,
          data,
        };
      }),
  });
}
