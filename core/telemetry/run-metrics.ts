// The run's outcome as OTLP metrics: gauges recorded once, at run end (seconds for durations, as the
// semantic conventions ask). Bounds are gauges of their own: as attributes they would make a new series per value.
import type { Attributes, Meter } from '@opentelemetry/api';
import type { EventOf } from '../events.ts';
import { computeAvailability } from '../measure/availability.ts';
import type { ProbeSample } from '../measure/samples.ts';

type Measured = {
  achievedMs: number | null;
  lowerMs?: number | null;
  upperMs?: number | null;
  objectiveMs: number;
};

/** Metric names, one place: the tests and the README read them from here. */
export const METRICS = {
  verdict: 'drill.verdict',
  rto: 'drill.rto',
  rpo: 'drill.rpo',
  availability: 'drill.availability',
  lostWrites: 'drill.writes.lost',
  acknowledgedWrites: 'drill.writes.acknowledged',
} as const;

const seconds = (ms: number) => ms / 1000;

function recordMeasured(meter: Meter, name: string, what: string, m: Measured, attributes: Attributes): void {
  const gauge = (suffix: string, description: string) =>
    meter.createGauge(`${name}${suffix}`, { unit: 's', description: `${what}: ${description}` });
  if (m.achievedMs !== null) gauge('', 'achieved').record(seconds(m.achievedMs), attributes);
  if (m.lowerMs !== undefined && m.lowerMs !== null)
    gauge('.lower_bound', 'the evidence puts the true value at or above this').record(
      seconds(m.lowerMs),
      attributes,
    );
  if (m.upperMs !== undefined && m.upperMs !== null)
    gauge('.upper_bound', 'the evidence puts the true value at or below this').record(
      seconds(m.upperMs),
      attributes,
    );
  gauge('.objective', 'the objective').record(seconds(m.objectiveMs), attributes);
}

/** Each recovery probe's availability over its samples from T0 (core/measure/availability.ts). */
export function availabilityByProbe(samples: readonly ProbeSample[]): Map<string, number> {
  const probes = new Set(samples.map((s) => s.probe));
  // Only the availability is read: the SLO (for the error budget) does not matter here.
  return new Map(
    [...probes].map((probe) => [
      probe,
      computeAvailability({ samples: [...samples], probe, intervalMs: 0, slo: 1 }).availability,
    ]),
  );
}

export function recordRunMetrics(
  meter: Meter,
  end: EventOf<'run-end'>,
  samples: readonly ProbeSample[],
  attributes: Attributes,
): void {
  meter
    .createGauge(METRICS.verdict, {
      unit: '1',
      description: '1 when the drill passed, else 0; drill.verdict says which',
    })
    .record(end.verdict === 'passed' ? 1 : 0, {
      ...attributes,
      'drill.verdict': end.verdict,
      'drill.outcome': end.outcome,
    });
  if (end.rto) recordMeasured(meter, METRICS.rto, 'recovery time', end.rto, attributes);
  if (end.rpo) {
    recordMeasured(meter, METRICS.rpo, 'recovery point (data loss window)', end.rpo, attributes);
    meter
      .createGauge(METRICS.lostWrites, { unit: '{write}', description: 'acknowledged canary writes lost' })
      .record(end.rpo.lostCount, attributes);
    meter
      .createGauge(METRICS.acknowledgedWrites, { unit: '{write}', description: 'canary writes acknowledged' })
      .record(end.rpo.acknowledgedCount, attributes);
  }
  const availability = meter.createGauge(METRICS.availability, {
    unit: '1',
    description: 'share of the time from T0 a recovery probe passed',
  });
  for (const [probe, value] of availabilityByProbe(samples)) {
    availability.record(value, { ...attributes, 'drill.probe': probe });
  }
}
