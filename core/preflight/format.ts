// The readiness report: one line per check (pass / FAIL / COULD NOT CHECK, reason, fix), or JSON for CI.
import type { ReadinessResult } from './types.ts';

const LABEL = { pass: 'pass', fail: 'FAIL', 'could-not-check': 'COULD NOT CHECK' } as const;

export function formatReadiness(results: ReadinessResult[], heading: string): string {
  const width = Math.max(...Object.values(LABEL).map((l) => l.length));
  const lines = [heading];
  for (const r of results) {
    lines.push(`  ${LABEL[r.status].padEnd(width)}  ${r.name}: ${r.reason}`);
    if (r.fix && r.status !== 'pass') lines.push(`  ${' '.repeat(width)}  fix: ${r.fix}`);
  }
  const count = (s: ReadinessResult['status']) => results.filter((r) => r.status === s).length;
  lines.push(
    `${count('pass')} pass, ${count('fail')} fail, ${count('could-not-check')} could not check` +
      (count('pass') === results.length ? ': ready' : ': NOT ready'),
  );
  return lines.join('\n');
}

export interface ReadinessJson {
  scenario: string;
  target: string;
  ready: boolean;
  checks: ReadinessResult[];
}

export const readinessJson = (report: ReadinessJson): string => JSON.stringify(report, null, 2);
