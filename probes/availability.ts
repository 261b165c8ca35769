// availability(): the public URL sampled continuously (default every 100 ms), and what the samples say
// about outages and the monthly error budget.

import { Agent } from 'undici';
import { formatDuration } from '../core/duration.ts';
import {
  type AvailabilityResult,
  computeAvailability,
  type OffThreadFactory,
  type OffThreadProbe,
  type ProbeSample,
} from '../core/measure/index.ts';
import type { Duration, JsonValue } from '../core/model.ts';
import { checkHealth, type HealthExpectation, health } from './health.ts';
import { asNewUser } from './http.ts';
import { type FromContext, joinUrl, resolveOption } from './resolve.ts';

/**
 * With the probe's latency, the width of the RTO's evidence bracket (core/measure/README.md): between a last failure
 * and the first pass lie up to two intervals; a blackhole's held requests count from HELD_MIN_MS (200 ms) before
 * their release, plus one interval. Its cost: 10 GETs a second, each on a new connection.
 */
export const AVAILABILITY_INTERVAL = '100ms';
/** Short, so that a black-holed request does not hide the instant service came back for long. */
export const AVAILABILITY_TIMEOUT = '1s';

export interface AvailabilityOptions<R> {
  url: FromContext<string, R>;
  /** Default "/health". */
  path?: string;
  expect?: FromContext<HealthExpectation, R>;
  /** Default "availability". */
  name?: string;
  /** Default AVAILABILITY_INTERVAL ("100ms"). */
  interval?: Duration;
  /** Default "1s". */
  timeout?: Duration;
}

/**
 * A health probe of the public URL meant to run continuously from T0 (it feeds the RTO), each sample as a new user.
 * As a recovery probe it is sampled on its own thread (availabilityCheck): its send and answer instants cannot
 * drift with the engine's busy event loop.
 */
export function availability<R = unknown>(options: AvailabilityOptions<R>): OffThreadProbe<R> {
  const name = options.name ?? 'availability';
  const path = options.path ?? '/health';
  const timeout = options.timeout ?? AVAILABILITY_TIMEOUT;
  return {
    ...asNewUser(
      health<R>({
        url: options.url,
        path,
        ...(options.expect ? { expect: options.expect } : {}),
        name,
        description: 'The public URL answers /health as expected, sampled continuously',
        interval: options.interval ?? AVAILABILITY_INTERVAL,
        timeout,
      }),
    ),
    offThread: {
      module: import.meta.url,
      factory: 'availabilityCheck',
      options: async (ctx) =>
        ({
          url: joinUrl(await resolveOption(options.url, ctx), path),
          want: options.expect ? await resolveOption(options.expect, ctx) : {},
          name,
          timeout,
        }) satisfies AvailabilityCheckOptions as unknown as JsonValue,
    },
  };
}

interface AvailabilityCheckOptions {
  url: string;
  want: HealthExpectation;
  name: string;
  timeout: Duration;
}

/** The availability check on a probe thread (OffThreadFactory): one GET on a connection of its own, as a new user. */
export const availabilityCheck: OffThreadFactory = (options) => {
  const { url, want, name, timeout } = options as unknown as AvailabilityCheckOptions;
  return async (signal) => {
    const own = new Agent({ pipelining: 0 });
    try {
      return await checkHealth({ url, want, dispatcher: own }, { name, timeout }, signal);
    } finally {
      void own.destroy();
    }
  };
};

export interface AvailabilityReportInput {
  samples: ProbeSample[];
  /** Default "availability". */
  probe?: string;
  intervalMs: number;
  /** Default 0.999 (Luneo's API SLO). */
  slo?: number;
  /** Default 30 days. */
  periodMs?: number;
  /** T0 (monotonic ms), to express outages relative to it. */
  t0?: number;
}

export interface AvailabilityReport extends AvailabilityResult {
  slo: number;
  uncertaintyMs: number;
  /** One line per outage, e.g. "outage from T0+0.2s to T0+5.4s (5.2s ± 250ms)". */
  lines: string[];
  /** e.g. "99.42 % available over 12.0s; used 0.01 % of the 43m 12s monthly error budget (SLO 99.9 %)". */
  summary: string;
}

/** Outage windows and error-budget use of one probe's samples (computeAvailability), with readable lines. */
export function availabilityReport(input: AvailabilityReportInput): AvailabilityReport {
  const slo = input.slo ?? 0.999;
  const result = computeAvailability({
    samples: input.samples,
    probe: input.probe ?? 'availability',
    intervalMs: input.intervalMs,
    slo,
    ...(input.periodMs === undefined ? {} : { periodMs: input.periodMs }),
  });
  const at = (ms: number) => (input.t0 === undefined ? formatDuration(ms) : `T0${sign(ms - input.t0)}`);
  const lines = result.outages.map(
    (o) =>
      `outage from ${at(o.start)} to ${o.end === null ? 'the end of sampling (still down)' : at(o.end)} (${formatDuration(o.durationMs)} ± ${formatDuration(input.intervalMs)})`,
  );
  const budget = Number.isFinite(result.budgetUsedFraction)
    ? `${percent(result.budgetUsedFraction)} %`
    : 'all';
  const summary = `${percent(result.availability)} % available over ${formatDuration(result.observedMs)}; used ${budget} of the ${formatDuration(result.budgetMs)} error budget (SLO ${percent(slo)} %)`;
  return { ...result, slo, uncertaintyMs: input.intervalMs, lines, summary };
}

function sign(ms: number): string {
  return ms < 0 ? `-${formatDuration(-ms)}` : `+${formatDuration(ms)}`;
}

function percent(fraction: number): string {
  return (fraction * 100).toFixed(fraction * 100 >= 99.99 || fraction === 0 ? 3 : 2).replace(/\.?0+$/, '');
}
