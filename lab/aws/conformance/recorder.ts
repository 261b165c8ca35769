// Checks every exchange the lab AWS endpoint serves and keeps what departs from the AWS models: counts of
// checked operations, the violations, and (LAB_AWS_CONFORMANCE_LOG) one JSON line per checked exchange:
// { operation, violations } (a lab daemon's drill traffic is read back from that file by tests).
import { appendFileSync } from 'node:fs';
import { checkExchange, type Exchange } from './check-exchange.ts';
import type { Violation } from './violations.ts';

export type ConformanceMode = 'off' | 'record' | 'enforce';

export interface ConformanceReport {
  /** Exchanges checked, by operation ('rds.DescribeGlobalClusters': 12). */
  checked: Record<string, number>;
  violations: Violation[];
}

export interface ConformanceRecorder {
  readonly mode: ConformanceMode;
  /** The violations of this exchange (also kept for report()). */
  record(exchange: Exchange): Violation[];
  report(): ConformanceReport;
}

/** Mode from LAB_AWS_CONFORMANCE (record | enforce); off when unset: production lab runs do not pay for it. */
export function conformanceModeFromEnv(env: NodeJS.ProcessEnv = process.env): ConformanceMode {
  const value = env.LAB_AWS_CONFORMANCE;
  return value === 'record' || value === 'enforce' ? value : 'off';
}

const KEPT = 1000;

export function conformanceRecorder(mode: ConformanceMode, logFile?: string): ConformanceRecorder {
  const checked: Record<string, number> = {};
  const violations: Violation[] = [];
  return {
    mode,
    record(exchange) {
      if (mode === 'off') return [];
      const result = checkExchange(exchange);
      const name = result.operation ?? '(unmodelled)';
      checked[name] = (checked[name] ?? 0) + 1;
      for (const v of result.violations) if (violations.length < KEPT) violations.push(v);
      if (logFile)
        appendFileSync(logFile, `${JSON.stringify({ operation: name, violations: result.violations })}\n`);
      return result.violations;
    },
    report: () => ({ checked: { ...checked }, violations: [...violations] }),
  };
}
