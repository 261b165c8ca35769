// Issue 22 §2, the checks on the AWS traffic of real drills on the lab (the drills' clients, the lab app's pods, the
// lab's own probes), every request and every answer, against the AWS service models: none departs. They run in the
// file that already has a lab recording its traffic and an aurora-outage drill on it (reports/drill-reports.lab.test.ts),
// so no lab is booted and no drill run for them alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Violation } from '../violations.ts';

/** A lab daemon's conformance log (LAB_AWS_CONFORMANCE=record, LAB_AWS_CONFORMANCE_LOG) and the aurora-outage drill in it. */
export interface RecordedDrillTraffic {
  logFile: string;
  /** Lines of the log written before the aurora-outage drill started: its traffic is what follows. */
  auroraFrom: number;
  /** The aurora-outage drill's output, shown when a call is missing. */
  auroraOutput: string;
}

interface Exchange {
  operation: string;
  violations: Violation[];
}

function exchanges(logFile: string): Exchange[] {
  return readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Exchange);
}

/** Lines in the log so far (0 before the lab wrote any). */
export function loggedExchanges(logFile: string): number {
  try {
    return exchanges(logFile).length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

export function drillTrafficTests(traffic: () => RecordedDrillTraffic): void {
  describe("the lab drills' AWS traffic, checked against the AWS models", () => {
    it('aurora-outage reached the failover: its traffic covers the calls the runbook makes', () => {
      const { logFile, auroraFrom, auroraOutput } = traffic();
      const seen = new Set(
        exchanges(logFile)
          .slice(auroraFrom)
          .map((x) => x.operation),
      );
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
        auroraOutput.slice(-4000),
      ).toEqual([]);
    });

    it('no request, answer or error of any drill on the lab departs from the models', () => {
      const all = exchanges(traffic().logFile);
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
}
