// A minimal RunContext for probe tests: real run clock, in-memory attachments and log lines.
import { createClock, type RunClock } from '../../core/clock.ts';
import type { Attachment, RunContext, Scenario, Target } from '../../core/model.ts';
import { REDACTOR_STATE_KEY, Redactor } from '../../core/redact.ts';

export interface TestRun<R> {
  ctx: RunContext<R>;
  clock: RunClock;
  /** Attachments by name, as written. */
  attachments: Map<string, { contentType: string; body: string | Uint8Array }>;
  logs: string[];
  redactor: Redactor;
  /** Aborts ctx.signal. */
  abort(reason?: unknown): void;
}

export function createTestRun<R>(resources: R, runId = `test-${process.pid}-${Date.now()}`): TestRun<R> {
  const clock = createClock();
  const controller = new AbortController();
  const attachments = new Map<string, { contentType: string; body: string | Uint8Array }>();
  const logs: string[] = [];
  const redactor = new Redactor();
  const target: Target<R> = {
    name: 'test',
    description: 'probe tests',
    kind: 'lab',
    aws: { regions: ['eu-west-1'] },
    resources,
  };
  const scenario = {
    name: 'probe-test',
    summary: 'probe tests',
    objectives: { rto: '5m', rpo: '1m', stableFor: '1s' },
    steadyState: [],
    fault: { title: 'none', inject: async () => undefined, revert: async () => {} },
    failover: [],
    recovery: [],
    verify: [],
  } satisfies Scenario<R>;
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logs.push(redactor.redactText(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`));
  const ctx: RunContext<R> = {
    runId,
    scenario,
    target,
    signal: controller.signal,
    dryRun: false,
    clock,
    log: { info: line('info'), warn: line('warn'), debug: line('debug') },
    audit: { mutate: (_call, perform) => perform() },
    state: new Map<string, unknown>([[REDACTOR_STATE_KEY, redactor]]),
    attach: async (name, contentType, body): Promise<Attachment> => {
      attachments.set(name, { contentType, body });
      return { name, contentType, path: `attachments/${name}` };
    },
  };
  return { ctx, clock, attachments, logs, redactor, abort: (reason) => controller.abort(reason) };
}
