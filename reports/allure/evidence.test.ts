import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../run/facts.ts';
import { linkerFor } from '../run/runbook-links.ts';
import {
  drillLabels,
  rpoParameters,
  rtoParameters,
  runbookLinks,
  samplesCsv,
  samplesJson,
} from './evidence.ts';

const { result } = loadRun(join(import.meta.dirname, '..', 'run', 'fixtures', 'aurora-outage'));

describe('Allure evidence of a real aurora-outage run', () => {
  it('labels a drill test: epic DR, feature = scenario, story, target, severity, simulation tag', () => {
    expect(drillLabels({ scenario: 'aurora-outage', target: 'lab', kind: 'lab' }, 'rto')).toEqual([
      { name: 'epic', value: 'DR' },
      { name: 'feature', value: 'aurora-outage' },
      { name: 'story', value: 'recovery time objective' },
      { name: 'target', value: 'lab' },
      { name: 'severity', value: 'critical' },
      { name: 'tag', value: 'simulation' },
    ]);
    expect(drillLabels({ scenario: 'switchback', target: 'prod', kind: 'live' }, 'verify').slice(4)).toEqual([
      { name: 'severity', value: 'normal' },
      { name: 'tag', value: 'live' },
    ]);
  });

  it('gives the RTO test its achieved, objective and uncertainty, then the phase split', () => {
    expect(rtoParameters(result).slice(0, 5)).toEqual([
      { name: 'achieved', value: '28.1s' },
      { name: 'objective', value: '30m 00s' },
      { name: 'uncertainty', value: '± 1.0s' },
      { name: 'met', value: 'yes' },
      { name: 'phase detection', value: '6.1s' },
    ]);
    expect(rtoParameters({ ...result, rto: null })).toEqual([{ name: 'RTO', value: 'not measured' }]);
  });

  it('gives a version-2 result its evidence interval beside the ± that covers it', () => {
    const rto = { ...result.rto!, achievedMs: 18_290, lowerMs: 18_249, upperMs: 18_461, uncertaintyMs: 171 };
    expect(rtoParameters({ ...result, schemaVersion: 2, rto }).slice(0, 4)).toEqual([
      { name: 'achieved', value: '18.3s' },
      { name: 'objective', value: '30m 00s' },
      { name: 'interval', value: 'between 18.2s and 18.5s' },
      { name: 'uncertainty', value: '± 171ms' },
    ]);
  });

  it('gives the RPO test its achieved, objective, uncertainty, lost writes and reported lag', () => {
    expect(rpoParameters(result)).toEqual([
      { name: 'achieved', value: '254ms' },
      { name: 'objective', value: '5m 00s' },
      { name: 'uncertainty', value: '± 100ms' },
      { name: 'met', value: 'yes' },
      { name: 'lost writes', value: '2 of 22 (#21, #22)' },
      { name: 'lag reported before T0', value: '3.0s' },
    ]);
  });

  it('links each runbook section the run cites, once, in runbook order', () => {
    const runbook = readFileSync(
      join(import.meta.dirname, '..', '..', 'runbooks', 'RUNBOOK_DR_MULTI_REGION.md'),
      'utf8',
    );
    expect(runbookLinks(result, linkerFor(runbook, 'https://example.test/rb.md'))).toEqual([
      { ref: '§4', title: "§4 Détection de l'incident", url: 'https://example.test/rb.md#L17' },
      { ref: '§5', title: '§5 Évaluation initiale', url: 'https://example.test/rb.md#L22' },
      { ref: '§6.1', title: '§6.1 Base de données', url: 'https://example.test/rb.md#L28' },
      { ref: '§6.2', title: '§6.2 Queues & cache', url: 'https://example.test/rb.md#L33' },
      { ref: '§6.3', title: '§6.3 Ingress & DNS', url: 'https://example.test/rb.md#L37' },
      { ref: '§6.4', title: '§6.4 CI/CD', url: 'https://example.test/rb.md#L41' },
    ]);
  });

  it('writes the recovery samples as CSV (time since T0, quoted details) and JSON', () => {
    const lines = samplesCsv(result).split('\n');
    expect(lines[0]).toBe('probe,sinceT0Ms,result,latencyMs,detail');
    expect(lines.length).toBe(1 + 69 + 1);
    expect(lines[2]).toBe(
      'order,129,fail,1183,"POST http://127.0.0.1:35681/api/orders returned 503, expected 201: {""error"":""database_unreachable"",""message"":""the database of eu-west-1 (127.0.0.1:46037) did not answer: Connection terminated due to connection timeout""}"',
    );
    expect(lines.at(-2)).toMatch(/^(health|order),\d+,ok,\d+,$/);
    const json = JSON.parse(samplesJson(result));
    expect(
      json.probes.map(({ name, samples, failures }: Record<string, unknown>) => ({
        name,
        samples,
        failures,
      })),
    ).toEqual([
      { name: 'health', samples: 49, failures: 21 },
      { name: 'order', samples: 20, failures: 14 },
    ]);
    // The recovery probes' last structured outcome is kept (result.json probes.recovery[].data).
    expect(json.probes[0].data).toMatchObject({ status: 200, region: 'us-east-1', role: 'writer' });
    expect(json.samples[0]).toMatchObject({ probe: 'health', sinceT0Ms: 128, ok: false });
  });
});
