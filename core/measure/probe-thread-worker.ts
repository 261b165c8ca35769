// A recovery probe's own thread: slots sent open loop and answers read here, off the engine's event loop, on the
// run's monotonic clock. Messages: see off-thread.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, TimeoutError } from '../errors.ts';
import type { ProbeOutcome } from '../model.ts';
import { LoopStalls } from './loop-stalls.ts';
import type { FromThread, OffThreadFactory, ThreadBoot, ThreadSampling, ToThread } from './off-thread.ts';
import { sampleOpenLoop } from './open-loop.ts';
import { raiseThisThread } from './thread-priority.ts';

const boot = workerData as ThreadBoot;
const port = parentPort!;
const post = (message: FromThread) => port.postMessage(message);
const now = () => performance.timeOrigin + performance.now() - boot.originAbsMs;
const stop = new AbortController();
let sampling: Promise<void> | undefined;

function start(factory: OffThreadFactory, s: ThreadSampling): Promise<void> {
  const check = factory(s.options, now);
  const stalls = new LoopStalls(now);
  stalls.start();
  return sampleOpenLoop({
    intervalMs: s.intervalMs,
    now,
    stop: stop.signal,
    sample: async () => {
      const at = now();
      const outcome = await withTimeout(check, s);
      const answeredAt = now();
      await stalls.looked();
      const servedAt =
        outcome.ok && outcome.servedAt !== undefined
          ? Math.min(Math.max(outcome.servedAt, at), answeredAt)
          : undefined;
      post({
        type: 'sample',
        sample: {
          at,
          answeredAt,
          ...(servedAt === undefined ? {} : { servedAt }),
          stalledMs: Math.round(stalls.delayingStamps(at, answeredAt)),
          ok: outcome.ok,
          latencyMs: outcome.latencyMs ?? Math.round(answeredAt - at),
          ...(outcome.detail ? { detail: outcome.detail } : {}),
          ...(outcome.data === undefined ? {} : { data: outcome.data }),
        },
      });
    },
  }).finally(() => stalls.stop());
}

/** One check under its timeout, settled then even if the check ignores its signal; a throw is a failed check. */
async function withTimeout(check: ReturnType<OffThreadFactory>, s: ThreadSampling): Promise<ProbeOutcome> {
  const timeout = AbortSignal.timeout(s.timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ProbeOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: new TimeoutError(s.what, s.timeoutMs, s.setting).message }),
      s.timeoutMs,
    );
  });
  try {
    return await Promise.race([check(timeout), late]);
  } catch (error) {
    return { ok: false, detail: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

try {
  const factory = ((await import(boot.module)) as Record<string, unknown>)[boot.factory];
  if (typeof factory !== 'function') throw new Error(`${boot.module} exports no function ${boot.factory}`);
  port.on('message', (message: ToThread) => {
    if (message.type === 'start' && !sampling)
      sampling = start(factory as OffThreadFactory, message.sampling);
    else if (message.type === 'stop') {
      stop.abort();
      void (sampling ?? Promise.resolve()).then(() => post({ type: 'done' }));
    }
  });
  post({ type: 'ready', raised: raiseThisThread() });
} catch (error) {
  post({ type: 'boot-failed', message: errorMessage(error) });
}
