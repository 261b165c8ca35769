// The canary writer's own thread: its send and acknowledgement instants are read here, where the write is
// acknowledged, so a busy engine event loop cannot make them late. Messages: see canary-thread.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { raiseThisThread } from '../core/measure/thread-priority.ts';
import type { Clock } from '../core/model.ts';
import type { CanaryWorkerData, FromWorker } from './canary-thread.ts';
import { CanaryWriter } from './canary-writer.ts';

const data = workerData as CanaryWorkerData;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

// The run's clock, read on this thread: the same monotonic source as the engine's (performance.timeOrigin + now()).
const clock: Clock = {
  now: () => performance.timeOrigin + performance.now() - data.originAbsMs,
  wall: (mono) => new Date(data.wallAnchorMs + mono),
  t0: undefined,
};

const writer = new CanaryWriter({
  ...data.writer,
  clock,
  log: {
    info: (message) => post({ type: 'log', level: 'info', message }),
    warn: (message) => post({ type: 'log', level: 'warn', message }),
    debug: (message) => post({ type: 'log', level: 'debug', message }),
  },
  onWrite: (write) => post({ type: 'write', write }),
});

port.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  writer.stop();
  void writer.done().then(() => post({ type: 'done' }));
});

if (!raiseThisThread())
  post({ type: 'log', level: 'debug', message: 'canary thread: normal priority (no privilege to raise it)' });

const abort = new AbortController();
writer.start(abort.signal, data.startTimeoutMs).then(
  () => post({ type: 'started' }),
  (error: unknown) => post({ type: 'start-failed', message: (error as Error).message ?? String(error) }),
);
