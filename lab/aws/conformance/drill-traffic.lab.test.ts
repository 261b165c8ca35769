// Issue 22 §2: the traffic of a real aurora-outage drill on the lab (the drill's clients, the lab app's pods,
// the lab's own probes), every request and every answer, checked against the AWS service models: none departs.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrill } from '../../../core/cli/spawn-drill.ts';
import { startDaemon, stopDaemon } from '../../platform/daemon-control.ts';
import { makeLabDir } from '../../testing/lab-fixture.ts';
import type { Violation } from './violations.ts';

let dir: string;
let logFile: string;
let drill: { code: number | null; output: string };

beforeAll(async () => {
  dir = makeLabDir('aws-conformance');
  logFile = join(dir, 'aws-conformance.jsonl');
  await startDaemon(dir, { env: { LAB_AWS_CONFORMANCE: 'record', LAB_AWS_CONFORMANCE_LOG: logFile } });
  drill = await runDrill(['aurora-outage', '--in-process', '--out', join(dir, 'out')], {
    ...process.env,
    CI: '1',
    LAB_DIR: dir,
  });
}, 900_000);

afterAll(async () => {
  await stopDaemon(dir);
  if (process.env.KEEP_LAB !== '1') await rm(dir, { recursive: true, force: true });
}, 60_000);

function exchanges(): { operation: string; violations: Violation[] }[] {
  return readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { operation: string; violations: Violation[] });
}

describe('an aurora-outage drill on the lab, checked against the AWS models', { timeout: 60_000 }, () => {
  it('reached the failover: its traffic covers the calls the runbook makes', () => {
    const seen = new Set(exchanges().map((x) => x.operation));
    const expected = [
      'sts.GetCallerIdentity',
      'iam.SimulatePrincipalPolicy',
      'rds.DescribeGlobalClusters',
      'rds.FailoverGlobalCluster',
      'fis.CreateExperimentTemplate',
      'fis.StartExperiment',
      'fis.GetExperiment',
      'secretsmanager.GetSecretValue',
      'secretsmanager.PutSecretValue',
      'cloudwatch.DescribeAlarms',
      'route53.GetHealthCheckStatus',
    ];
    expect(
      expected.filter((op) => !seen.has(op)),
      drill.output.slice(-4000),
    ).toEqual([]);
  });

  it('no request, answer or error departs from the models', () => {
    const all = exchanges();
    const violations = all.flatMap((x) => x.violations);
    // Each distinct problem once, with how often it happened.
    const distinct = new Map<string, number>();
    for (const v of violations) {
      const key = `${v.operation} ${v.message} ${v.path.replace(/\[\d+\]/g, '[]')}: ${v.problem}`;
      distinct.set(key, (distinct.get(key) ?? 0) + 1);
    }
    expect([...distinct].map(([problem, times]) => `${times}× ${problem}`)).toEqual([]);
    console.log(
      `aws conformance: ${all.length} exchanges checked over ${new Set(all.map((x) => x.operation)).size} operations`,
    );
  });
});
