// An in-memory two-region platform kept in a JSON file, so a rollback from another process can
// revert what a killed run left behind. It backs the self-test scenario; no network, no cloud.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../../../core/journal.ts';
import { defineTarget, type LedgerWrite, type WriteLedger } from '../../../core/model.ts';

export type Region = 'eu-west-1' | 'us-east-1';
export const PRIMARY: Region = 'eu-west-1';
export const SECONDARY: Region = 'us-east-1';

export interface MemoryResources {
  /** JSON file holding the platform's state (env DRILL_MEMORY_STATE). */
  stateFile: string;
  /** Multiplies every simulated operation time (env DRILL_MEMORY_TIME_SCALE); tests slow phases down with it. */
  timeScale: number;
  /** Password inside DATABASE_URL: a secret the run must never print. */
  dbPassword: string;
}

export interface MemoryState {
  version: 1;
  /** The primary region is unreachable. */
  outage: boolean;
  writer: Region;
  /** Region the public DNS name resolves to. */
  dns: Region;
  /** DATABASE_URL versions; `current` is what the apps read, `previous` the one before (AWSPREVIOUS). */
  secret: { current: string; previous?: string; versions: Record<string, string> };
  workers: Record<Region, number>;
  /** configmap dr-overrides in the secondary. */
  drMode: boolean;
  /** Every mutating call ever made to this platform, in order. */
  mutations: string[];
}

export function initialState(password: string): MemoryState {
  return {
    version: 1,
    outage: false,
    writer: PRIMARY,
    dns: PRIMARY,
    secret: { current: 'v1', versions: { v1: databaseUrl(PRIMARY, password) } },
    workers: { [PRIMARY]: 2, [SECONDARY]: 0 } as Record<Region, number>,
    drMode: false,
    mutations: [],
  };
}

export function databaseUrl(region: Region, password: string): string {
  return `postgres://luneo:${password}@db.${region}.memory:5432/luneo`;
}

/** Region a DATABASE_URL points at. */
export function urlRegion(url: string): Region | undefined {
  return /@db\.([a-z0-9-]+)\.memory/.exec(url)?.[1] as Region | undefined;
}

/** The platform behind one state file. Reads and writes are synchronous, so one process never interleaves. */
export class MemoryPlatform {
  readonly file: string;
  readonly resources: MemoryResources;

  constructor(resources: MemoryResources) {
    this.resources = resources;
    this.file = resolve(resources.stateFile);
  }

  read(): MemoryState {
    if (!existsSync(this.file)) return initialState(this.resources.dbPassword);
    return JSON.parse(readFileSync(this.file, 'utf8')) as MemoryState;
  }

  /** Applies a named mutation and persists it atomically. */
  mutate(name: string, change: (state: MemoryState) => void): MemoryState {
    const state = this.read();
    change(state);
    state.mutations.push(name);
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
    return state;
  }

  reachable(region: Region, state = this.read()): boolean {
    return !(state.outage && region === PRIMARY);
  }

  /** What a user sees through the public name: the app behind DNS must reach the writer it is configured for. */
  apiHealth(state = this.read()): { ok: boolean; detail: string } {
    const configured = urlRegion(state.secret.versions[state.secret.current] ?? '');
    if (!this.reachable(state.dns, state))
      return { ok: false, detail: `${state.dns} is unreachable (DNS points there)` };
    if (configured !== state.writer) {
      return { ok: false, detail: `DATABASE_URL points at ${configured}, but the writer is ${state.writer}` };
    }
    if (!this.reachable(state.writer, state))
      return { ok: false, detail: `writer ${state.writer} is unreachable` };
    return { ok: true, detail: `served from ${state.dns}, writer ${state.writer}` };
  }

  /** What differs from a clean platform, except the writer (a promotion is undone by a switchback, not an undo). */
  leftovers(state = this.read()): string[] {
    const clean = initialState(this.resources.dbPassword);
    const out: string[] = [];
    if (state.outage) out.push('fault still injected: primary region unreachable');
    if (state.dns !== clean.dns) out.push(`DNS points at ${state.dns}`);
    const secretRegion = urlRegion(state.secret.versions[state.secret.current] ?? '');
    if (secretRegion !== PRIMARY) out.push(`DATABASE_URL points at ${secretRegion}`);
    if (state.drMode) out.push('dr_mode is on');
    if (state.workers[PRIMARY] !== clean.workers[PRIMARY])
      out.push(`primary workers at ${state.workers[PRIMARY]}`);
    return out;
  }

  /** Simulated operation time, scaled; rejects when the signal aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((done, fail) => {
      if (signal.aborted) return fail(signal.reason);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        done();
      }, ms * this.resources.timeScale);
      const onAbort = () => {
        clearTimeout(timer);
        fail(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const CANARY_LAG_MS = 200;

/** Canary writer: one write every 50 ms; a write reaches the standby 200 ms after its ack unless the primary is cut by then. */
export function canaryLedger(): WriteLedger<MemoryResources> {
  let writes: LedgerWrite[] = [];
  let survivors: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  return {
    name: 'memory-canary',
    interval: '50ms',
    warmup: '300ms',
    async start(ctx) {
      writes = [];
      survivors = [];
      const p = new MemoryPlatform(ctx.target.resources);
      const write = () => {
        const seq = writes.length + 1;
        const sentAt = ctx.clock.now();
        const acked = p.reachable(PRIMARY);
        writes.push({ seq, sentAt, ackedAt: acked ? ctx.clock.now() : null });
        if (!acked) return;
        const replicated = new Promise<void>((done) =>
          setTimeout(() => {
            if (p.reachable(PRIMARY)) survivors.push(seq); // WAL still in flight when the link is cut is lost
            done();
          }, CANARY_LAG_MS),
        );
        inFlight.add(replicated);
        void replicated.then(() => inFlight.delete(replicated));
      };
      timer = setInterval(write, 50);
      try {
        // A canary proves itself before T0: wait for five acknowledged writes.
        while (writes.filter((w) => w.ackedAt !== null).length < 5) await p.wait(25, ctx.signal);
      } catch (error) {
        clearInterval(timer);
        throw error;
      }
    },
    async stop() {
      clearInterval(timer);
    },
    async collect() {
      await Promise.all([...inFlight]);
      return { writes, survivors, reportedLagMs: CANARY_LAG_MS };
    },
  };
}

export default defineTarget<MemoryResources>({
  name: 'memory',
  description: 'In-memory two-region platform in a JSON file (self-test; no network)',
  kind: 'lab',
  aws: { regions: [PRIMARY, SECONDARY] },
  // The self-test's configmap step plans its Kubernetes call in context "memory": the kube-contexts guardrail
  // refuses a context the target does not name.
  kube: { contexts: { cluster: 'memory' } },
  objectives: {},
  resources: {
    stateFile: process.env.DRILL_MEMORY_STATE ?? 'out/memory/state.json',
    timeScale: Number(process.env.DRILL_MEMORY_TIME_SCALE ?? 1),
    dbPassword: process.env.DRILL_MEMORY_DB_PASSWORD ?? 'memory-s3cret-pw',
  },
});
