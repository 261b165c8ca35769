// A real run (the marker scenario) exports its trace and metrics to a local OTLP/HTTP receiver, in both OTLP
// encodings, configured only through the standard OTEL_* variables.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENTS_FILE, parseEventLog } from '../event-log.ts';
import type { EventOf } from '../events.ts';
import type { Scenario } from '../model.ts';
import { Redactor } from '../redact.ts';
import { RESULT_FILE } from '../runner/report.ts';
import { type RunResult, runResultSchema } from '../runner/result-schema.ts';
import { runScenario } from '../runner/run-scenario.ts';
import {
  type MarkerOptions,
  type MarkerWorld,
  markerScenario,
  markerTarget,
  markerWorld,
} from '../runner/testing.ts';
import { telemetryReporters } from './index.ts';
import { OtelReporter } from './otel-reporter.ts';
import { availabilityByProbe, METRICS } from './run-metrics.ts';
import { type OtlpReceiver, startOtlpReceiver } from './testing/otlp-receiver.ts';
import type { WireSpan } from './testing/otlp-wire.ts';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
  vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url);
  vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'authorization=Bearer otlp-t0ken-s3cret');
  vi.stubEnv('OTEL_SERVICE_NAME', 'dr-drills');
  vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=staging,team=platform');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await receiver.close();
});

interface Ran {
  result: RunResult;
  events: ReturnType<typeof parseEventLog>;
  warnings: string[];
}

/** The marker scenario with step c planned 1 ms after T0 (so it is late), run with the telemetry reporters. */
async function markerRun(opts: MarkerOptions = {}, signal?: AbortSignal): Promise<Ran> {
  const world = markerWorld();
  const base = markerScenario(world, opts);
  const scenario: Scenario<MarkerWorld> = {
    ...base,
    failover: base.failover.map((s) => (s.title === 'c' ? { ...s, plannedAt: '1ms' } : s)),
  };
  const outDir = mkdtempSync(join(tmpdir(), 'drill-otel-'));
  const warnings: string[] = [];
  const redactor = new Redactor();
  await runScenario(scenario, markerTarget, {
    runId: 'run-otel',
    outDir,
    redactor,
    ...(signal ? { signal } : {}),
    reporters: telemetryReporters({ redactor, warn: (line) => warnings.push(line) }),
  });
  const runDir = join(outDir, 'runs', 'run-otel');
  return {
    result: runResultSchema.parse(JSON.parse(readFileSync(join(runDir, RESULT_FILE), 'utf8'))),
    events: parseEventLog(readFileSync(join(runDir, EVENTS_FILE), 'utf8')),
    warnings,
  };
}

const ns = (wallMs: number) => BigInt(wallMs) * 1_000_000n;
const byName = (spans: WireSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  expect(found, `one span "${name}"`).toHaveLength(1);
  return found[0] as WireSpan;
};
const point = (name: string) => {
  const found = receiver.points.filter((p) => p.metric === name);
  expect(found, `one point of ${name}`).toHaveLength(1);
  return found[0]!;
};

describe.each(['http/protobuf', 'http/json'] as const)('OTLP over %s', (protocol) => {
  beforeEach(() => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', protocol);
  });

  it('one root span, a span per phase under it, a span per step under its phase, timed by the events', async () => {
    const { result, events } = await markerRun();
    expect(result.verdict).toBe('passed');
    const { spans } = receiver;
    expect(receiver.requests.filter((r) => r.path === '/v1/traces').map((r) => r.contentType)).toContain(
      protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    );
    expect(receiver.requests.every((r) => r.headers.authorization === 'Bearer otlp-t0ken-s3cret')).toBe(true);

    const root = byName(spans, 'drill markers');
    expect(root.parentSpanId).toBe('');
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([root.traceId]));
    const phases = spans.filter((s) => s.name.startsWith('phase: '));
    expect(phases.map((s) => s.name)).toEqual(result.phases.map((p) => `phase: ${p.phase}`));
    expect(phases.every((p) => p.parentSpanId === root.spanId)).toBe(true);
    const failover = byName(spans, 'phase: failover');
    for (const step of result.steps) {
      const span = byName(spans, step.title);
      const phase = byName(spans, `phase: ${step.phase}`);
      expect(span.parentSpanId, `${step.title} under its phase`).toBe(phase.spanId);
      expect(span.attributes).toMatchObject({
        'drill.run.id': 'run-otel',
        'drill.scenario': 'markers',
        'drill.target': 'markers',
        'drill.phase': step.phase,
        'drill.step.id': step.id,
        'drill.step.status': step.status,
      });
      const start = events.find(
        (e) => e.kind === 'step-start' && e.stepId === step.id,
      ) as EventOf<'step-start'>;
      const end = events.find((e) => e.kind === 'step-end' && e.stepId === step.id) as EventOf<'step-end'>;
      expect([span.startNs, span.endNs]).toEqual([ns(start.wallMs), ns(end.wallMs)]);
    }
    const c = byName(spans, 'c');
    expect(c.parentSpanId).toBe(failover.spanId);
    const cResult = result.steps.find((s) => s.title === 'c')!;
    expect(cResult.lateByMs, 'c ran after its planned offset').toBeGreaterThan(0);
    expect(c.attributes).toMatchObject({
      'drill.runbook.section': '§6.1',
      'drill.step.planned_at_ms': 1,
      'drill.step.late_by_ms': cResult.lateByMs!,
    });
    const cStart = events.find((e) => e.kind === 'step-start' && e.stepId === cResult.id);
    expect(c.attributes['drill.since_t0_ms']).toBe(cStart?.sinceT0Ms);
    expect(byName(spans, 'a').attributes).toMatchObject({ 'drill.step.planned_at_ms': 60_000 });
    expect(byName(spans, 'a').attributes).not.toHaveProperty('drill.step.late_by_ms');
    const runStart = events[0]!;
    const runEnd = events.at(-1)!;
    expect([root.startNs, root.endNs]).toEqual([ns(runStart.wallMs), ns(runEnd.wallMs)]);
    expect(root.attributes).toMatchObject({
      'drill.verdict': 'passed',
      'drill.rto.achieved_ms': result.rto!.achievedMs!,
      'drill.rpo.achieved_ms': result.rpo!.achievedMs!,
      'drill.writes.lost': result.rpo!.lostCount,
    });
    // The resource comes from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, as the spec says.
    expect(root.resource).toMatchObject({
      'service.name': 'dr-drills',
      'deployment.environment.name': 'staging',
      team: 'platform',
    });
    // No header value (an API key) in any span.
    expect(JSON.stringify(spans, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('t0ken');
  });

  it('metrics: RTO and RPO with their bounds equal result.json, lost writes, availability, verdict', async () => {
    const { result, events } = await markerRun();
    const rto = result.rto!;
    const rpo = result.rpo!;
    expect(point(METRICS.rto)).toMatchObject({ unit: 's', value: rto.achievedMs! / 1000 });
    expect(point(`${METRICS.rto}.lower_bound`).value).toBe(rto.lowerMs! / 1000);
    expect(point(`${METRICS.rto}.upper_bound`).value).toBe(rto.upperMs! / 1000);
    expect(point(`${METRICS.rto}.objective`).value).toBe(5);
    expect(point(METRICS.rpo).value).toBe(rpo.achievedMs! / 1000);
    expect(point(`${METRICS.rpo}.lower_bound`).value).toBe(rpo.lowerMs! / 1000);
    expect(point(METRICS.lostWrites).value).toBe(rpo.lostCount);
    expect(rpo.lostCount, 'the marker ledger loses write #3').toBe(1);
    expect(point(METRICS.acknowledgedWrites).value).toBe(rpo.acknowledgedCount);
    expect(point(METRICS.verdict)).toMatchObject({ value: 1, attributes: { 'drill.verdict': 'passed' } });
    // The recovery probe failed until step c: its availability from T0 is below 1, as the samples say.
    const samples = events
      .filter((e): e is EventOf<'probe-sample'> => e.kind === 'probe-sample' && e.sinceT0Ms !== undefined)
      .filter((e) => ['inject', 'failover', 'recover'].includes(e.phase))
      .map((e) => ({ probe: e.probe, at: e.at, ok: e.ok }));
    const up = point(METRICS.availability);
    expect(up.attributes).toMatchObject({ 'drill.probe': 'up', 'drill.run.id': 'run-otel' });
    expect(up.value).toBe(availabilityByProbe(samples).get('up'));
    expect(up.value).toBeGreaterThan(0);
    expect(up.value).toBeLessThan(1);
    expect(up.resource).toMatchObject({ 'service.name': 'dr-drills' });
  });
});

describe('OTLP export', () => {
  it('a failed step is an error span, and so are its phase and the run', async () => {
    const { result } = await markerRun({ failAt: 'b' });
    expect(result.verdict).toBe('failed');
    const b = byName(receiver.spans, 'b');
    expect(b.status).toEqual({ code: 2, message: 'b broke' });
    expect(b.attributes['drill.step.status']).toBe('failed');
    expect(byName(receiver.spans, 'a').status.code).toBe(0);
    expect(byName(receiver.spans, 'phase: failover').status.code).toBe(2);
    expect(byName(receiver.spans, 'drill markers').status.code).toBe(2);
    expect(point(METRICS.verdict)).toMatchObject({ value: 0, attributes: { 'drill.verdict': 'failed' } });
  });

  it('a collector that fails never fails the drill: one warning per signal, without the headers', async () => {
    receiver.answer = 400;
    const { result, warnings } = await markerRun();
    expect(result.verdict).toBe('passed');
    expect(warnings.sort()).toEqual([
      expect.stringMatching(/^⚠ telemetry: OTLP metrics export failed: .*\(the drill goes on\)$/),
      expect.stringMatching(/^⚠ telemetry: OTLP traces export failed: .*\(the drill goes on\)$/),
    ]);
    expect(warnings.join('\n')).not.toContain('t0ken');
  });

  it('a collector that never answers holds the run end no longer than the flush bound', async () => {
    receiver.answer = 'hang';
    vi.stubEnv('OTEL_EXPORTER_OTLP_TIMEOUT', '60000');
    const warnings: string[] = [];
    const { WarnOnce } = await import('./warn-once.ts');
    const reporter = new OtelReporter({
      traces: 'http/protobuf',
      metrics: 'http/protobuf',
      warnings: new WarnOnce((line) => warnings.push(line)),
      flushTimeoutMs: 200,
    });
    const world = markerWorld();
    const result = await runScenario(markerScenario(world), markerTarget, {
      outDir: mkdtempSync(join(tmpdir(), 'drill-otel-')),
      reporters: [reporter],
    });
    expect(result.verdict).toBe('passed');
    // The run returned while the collector still holds the exports (the exporter would wait 60 s).
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(warnings).toEqual([
      "⚠ telemetry: OTLP export: not done within 200ms of the run's end: the rest is dropped (the drill goes on)",
    ]);
  });

  it('a manual checkpoint is an event of its step span: its wait and who confirmed it, through what', async () => {
    const reporter = new OtelReporter({ traces: 'http/json', metrics: null });
    const at = Date.now();
    const base = { at: 0, wallMs: at };
    const step = { phase: 'failover' as const, stepId: 'freeze', title: 'Freeze deploys' };
    const checkpoint = { ...step, waitUpToMs: 900_000, onTimeout: 'abort' as const };
    reporter.onRunStart({
      ...base,
      kind: 'run-start',
      runId: 'r',
      scenario: 's',
      target: 't',
      dryRun: false,
      runDir: '/x',
    });
    reporter.onPhaseStart({ ...base, kind: 'phase-start', phase: 'failover' });
    reporter.onStepStart({ ...base, kind: 'step-start', ...step });
    reporter.onCheckpoint({ ...base, kind: 'checkpoint', ...checkpoint, state: 'waiting' });
    reporter.onCheckpoint({
      ...base,
      wallMs: at + 4_200,
      kind: 'checkpoint',
      ...checkpoint,
      state: 'confirmed',
      by: 'ic-alice',
      via: 'page',
      waitedMs: 4_200,
    });
    reporter.onStepEnd({
      ...base,
      wallMs: at + 4_300,
      kind: 'step-end',
      ...step,
      status: 'ok',
      durationMs: 4_300,
    });
    reporter.onPhaseEnd({
      ...base,
      wallMs: at + 4_300,
      kind: 'phase-end',
      phase: 'failover',
      status: 'ok',
      durationMs: 4_300,
    });
    await reporter.onRunEnd({
      ...base,
      wallMs: at + 4_400,
      kind: 'run-end',
      verdict: 'passed',
      outcome: 'passed',
      reason: 'ok',
      exitCode: 0,
      runDir: '/x',
      rtoMs: null,
      rpoMs: null,
      pendingWayBacks: [],
    });
    const span = byName(receiver.spans, 'Freeze deploys');
    expect(span.events).toEqual([
      {
        name: 'checkpoint waiting',
        attributes: {
          'drill.step.id': 'freeze',
          'drill.checkpoint.wait_up_to_ms': 900_000,
          'drill.checkpoint.on_timeout': 'abort',
        },
      },
      {
        name: 'checkpoint confirmed',
        attributes: {
          'drill.step.id': 'freeze',
          'drill.checkpoint.wait_up_to_ms': 900_000,
          'drill.checkpoint.on_timeout': 'abort',
          'drill.checkpoint.by': 'ic-alice',
          'drill.checkpoint.via': 'page',
          'drill.checkpoint.waited_ms': 4_200,
        },
      },
    ]);
  });

  it('without OTEL_EXPORTER_OTLP_*ENDPOINT nothing is exported; grpc, OTEL_SDK_DISABLED and "none" are honoured', () => {
    const reporters = () =>
      telemetryReporters({ redactor: new Redactor(), warn: (line) => warnings.push(line) });
    const warnings: string[] = [];
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', undefined);
    expect(reporters()).toEqual([]);
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `${receiver.url}/v1/traces`);
    expect(reporters().map((r) => r.constructor.name)).toEqual(['OtelReporter']);
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    expect(reporters()).toEqual([]);
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp');
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    expect(reporters()).toEqual([]);
    vi.stubEnv('OTEL_SDK_DISABLED', 'false');
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    expect(reporters()).toEqual([]);
    // Only traces have an endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): metrics were never on.
    expect(warnings).toEqual([
      '⚠ telemetry (traces): OTLP protocol "grpc" is not supported (http/protobuf or http/json): traces not exported',
    ]);
  });
});
