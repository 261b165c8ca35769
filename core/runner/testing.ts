// A scenario made of markers, for tests of the runner: every call is recorded in order.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS_FILE } from '../event-log.ts';
import type { JsonValue, Scenario, StepDefinition, Target } from '../model.ts';
import type { EventInput } from './drill-run.ts';

export interface MarkerWorld {
  markers: string[];
  /** Recovery probes pass once this is true (the last failover step sets it). */
  recovered: boolean;
  healthyBefore: boolean;
  /** Signals each undo/revert received, to prove they were not the run's aborted one. */
  undoSignals: AbortSignal[];
}

export interface MarkerOptions {
  /** Step titles: "a", "b", "c" by default; each has an undo unless listed in `noUndo`. */
  steps?: string[];
  noUndo?: string[];
  failAt?: string;
  /** Like failAt, on this step's first run only (a transient failure: a rolled-forward step runs again). */
  failOnceAt?: string;
  /** This step never resolves on its own (it honours its signal). */
  hangAt?: string;
  /** Like hangAt, on this step's first run only (a rolled-forward step runs again). */
  hangOnceAt?: string;
  bestEffort?: string[];
  irreversible?: string[];
  failUndo?: string[];
  /** Called when this step starts (e.g. to abort the run there). */
  onStep?: (title: string) => void;
  timeout?: string;
  secretInUndoData?: string;
  recoveryTimeout?: string;
  /** The recovery probe never passes, even once every failover step went through. */
  neverServes?: boolean;
  /** Adds a background activity that reports a summary. */
  background?: boolean;
}

export function markerWorld(): MarkerWorld {
  return { markers: [], recovered: false, healthyBefore: true, undoSignals: [] };
}

// A signal aborted before the step reached its hang fires no more 'abort' event: reject at once.
const waitForAbort = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

export function markerScenario(world: MarkerWorld, opts: MarkerOptions = {}): Scenario<MarkerWorld> {
  const titles = opts.steps ?? ['a', 'b', 'c'];
  const hung = new Set<string>();
  const failed = new Set<string>();
  const step = (title: string, i: number): StepDefinition<MarkerWorld> => ({
    title,
    runbook: '§6.1',
    plannedAt: '1m',
    ...(opts.timeout ? { timeout: opts.timeout } : {}),
    ...(opts.bestEffort?.includes(title) ? { bestEffort: true } : {}),
    ...(opts.irreversible?.includes(title)
      ? { irreversible: { reason: `${title} is one-way`, wayBack: `undo ${title} by hand for <run-id>` } }
      : {}),
    plan: () => [
      { service: 'marker', operation: `run ${title}`, mutating: true, params: { password: 'hunter22' } },
    ],
    run: async (ctx) => {
      world.markers.push(`run:${title}`);
      opts.onStep?.(title);
      await ctx.audit.mutate(
        { service: 'marker', operation: `run ${title}`, mutating: true },
        async () => undefined,
      );
      if (opts.hangAt === title) await waitForAbort(ctx.signal);
      if (opts.hangOnceAt === title && !hung.has(title)) {
        hung.add(title);
        await waitForAbort(ctx.signal);
      }
      if (opts.failAt === title) throw new Error(`${title} broke`);
      if (opts.failOnceAt === title && !failed.has(title)) {
        failed.add(title);
        throw new Error(`${title} broke`);
      }
      if (i === titles.length - 1) world.recovered = true;
      const undoData: JsonValue = opts.secretInUndoData ? { url: opts.secretInUndoData } : { step: title };
      return { detail: `${title} done`, undoData };
    },
    ...(opts.noUndo?.includes(title) || opts.irreversible?.includes(title)
      ? {}
      : {
          undo: async (ctx, undoData) => {
            world.undoSignals.push(ctx.signal);
            world.markers.push(`undo:${title}:${JSON.stringify(undoData ?? null)}`);
            if (opts.failUndo?.includes(title)) throw new Error(`undo ${title} broke`);
          },
        }),
  });
  return {
    name: 'markers',
    summary: 'Marker scenario for runner tests',
    objectives: { rto: '5s', rpo: '1s', stableFor: '30ms' },
    recoveryTimeout: opts.recoveryTimeout ?? '2s',
    ...(opts.background
      ? {
          background: [
            {
              name: 'load',
              start: async () => {
                world.markers.push('load:start');
              },
              stop: async () => {
                world.markers.push('load:stop');
                return { requests: 42, apiKey: 'k-123456' };
              },
            },
          ],
        }
      : {}),
    steadyState: [
      {
        name: 'healthy',
        check: async () => ({ ok: world.healthyBefore, detail: world.healthyBefore ? 'fine' : 'down' }),
      },
    ],
    fault: {
      title: 'Break it',
      inject: async () => {
        world.markers.push('inject');
        return { undoData: { fault: 'on' } };
      },
      revert: async (ctx, undoData) => {
        world.undoSignals.push(ctx.signal);
        world.markers.push(`revert:${JSON.stringify(undoData ?? null)}`);
      },
    },
    failover: titles.map(step),
    recovery: [
      {
        name: 'up',
        interval: '10ms',
        check: async () =>
          opts.neverServes
            ? { ok: false, detail: 'down: 503 from the DR region' }
            : { ok: world.recovered, detail: world.recovered ? 'up' : 'down' },
      },
    ],
    verify: [{ name: 'works', check: async () => ({ ok: world.recovered, detail: 'checked' }) }],
    ledger: {
      name: 'ledger',
      interval: '10ms',
      warmup: '0ms',
      start: async () => {
        world.markers.push('ledger:start');
      },
      stop: async () => {
        world.markers.push('ledger:stop');
      },
      collect: async () => ({
        writes: [
          { seq: 1, sentAt: 0, ackedAt: 10 },
          { seq: 2, sentAt: 20, ackedAt: 30 },
          { seq: 3, sentAt: 40, ackedAt: 50 },
        ],
        survivors: [1, 2],
      }),
    },
  };
}

export const markerTarget: Target<MarkerWorld> = {
  name: 'markers',
  description: 'Marker target',
  kind: 'lab',
  aws: { regions: ['eu-west-1', 'us-east-1'] },
  resources: markerWorld(),
};

/** The events.jsonl a run leaves on disk, written as given: run-start and the run's process first, one ms apart. */
export function writeRecordedRun(
  runDir: string,
  start: { runId: string; scenario: string; target: string; pid: number; startedAt: string },
  events: EventInput[],
): void {
  const startedAt = Date.parse(start.startedAt);
  const all: EventInput[] = [
    {
      kind: 'run-start',
      runId: start.runId,
      scenario: start.scenario,
      target: start.target,
      dryRun: false,
      runDir,
    },
    { kind: 'process', pid: start.pid, role: 'run', targetKind: 'lab' },
    ...events,
  ];
  mkdirSync(runDir, { recursive: true });
  writeFileSync(
    join(runDir, EVENTS_FILE),
    all.map((e, at) => `${JSON.stringify({ ...e, at, wallMs: startedAt + at })}\n`).join(''),
  );
}
