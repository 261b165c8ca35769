import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunbookFinding } from '../../../core/model.ts';
import { stepIdOf } from '../../../core/validate/slug.ts';
import { checkCoverage } from '../../../reports/runbook/check.ts';
import {
  loadScenario,
  runbookCommand,
  runbookPathOf,
  traceRunbook,
} from '../../../reports/runbook/command.ts';
import { linesInRange, parseRunbook } from '../../../reports/runbook/parse.ts';
import { FINDINGS } from '../findings.ts';
import coverage, { MAPPING_FINDINGS } from './coverage.ts';

const runbook = readFileSync(runbookPathOf(), 'utf8');
const lines = linesInRange(parseRunbook(runbook), 4, 13);
// Importing the Luneo scenarios pulls the AWS SDK clients: slow on a busy machine.
const SLOW = { timeout: 60_000 };

describe('the runbook coverage map', () => {
  it('has exactly one entry per actionable line of §4–§13, and no entry without its line', () => {
    for (const line of lines) {
      const matching = coverage.filter((e) => e.section === line.section && line.text.includes(e.fragment));
      expect(matching, `${line.section} line ${line.line}: ${line.text}`).toHaveLength(1);
    }
    for (const entry of coverage) {
      const matching = lines.filter((l) => l.section === entry.section && l.text.includes(entry.fragment));
      expect(matching, `${entry.section} "${entry.fragment}"`).toHaveLength(1);
    }
    expect(coverage).toHaveLength(lines.length);
  });

  it('references only steps, probes and checkpoints that exist in the scenarios', SLOW, async () => {
    const report = await checkCoverage(lines, coverage, loadScenario);
    expect(report.stale).toEqual([]);
    expect(report.rows.filter((r) => r.problems.length > 0).map((r) => [r.section, r.problems])).toEqual([]);
    expect(report.rows.filter((r) => r.kind === 'uncovered')).toEqual([]);
  });

  it('puts every finding of a referenced step on a line of the map', SLOW, async () => {
    const shown = new Set(coverage.flatMap((e) => e.findings ?? []));
    const missing: string[] = [];
    for (const entry of coverage) {
      const c = entry.covered;
      const stepRefs = 'steps' in c ? c.steps : 'manual' in c ? c.manual : [];
      for (const [name, id] of stepRefs) {
        const scenario = await loadScenario(name);
        const step = [...(scenario?.failover ?? []), ...(scenario?.restore ?? [])].find(
          (s) => stepIdOf(s) === id,
        );
        for (const f of step?.findings ?? []) if (!shown.has(f)) missing.push(`${name}/${id}: ${f.says}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('shows every runbook finding of apps/luneo/findings.ts and of the mapping', () => {
    const shown = new Set<RunbookFinding>(coverage.flatMap((e) => e.findings ?? []));
    const all: RunbookFinding[] = [...Object.values(FINDINGS), ...Object.values(MAPPING_FINDINGS)];
    expect(all.filter((f) => !shown.has(f)).map((f) => f.says)).toEqual([]);
    for (const entry of coverage) {
      for (const f of entry.findings ?? [])
        expect(f.runbook, `${entry.section} "${entry.fragment}"`).toBe(entry.section);
    }
  });

  it('leaves no runbook line planned for later: every line is covered or explained', () => {
    const planned = coverage.filter((e) => 'planned' in e.covered).map((e) => `${e.section} ${e.fragment}`);
    expect(planned).toEqual([]);
  });

  it('reports an edited runbook line: the line uncovered, its entry stale', SLOW, async () => {
    const edited = runbook.replace(
      '`aws rds promote-read-replica-db-cluster --db-cluster-identifier luneo-prod-aurora-secondary --region us-east-1`',
      '`aws rds failover-global-cluster --allow-data-loss`',
    );
    const report = await traceRunbook(edited, coverage, loadScenario);
    expect(report.stale).toEqual([
      {
        section: '§6.1',
        fragment: 'promote-read-replica-db-cluster',
        problem:
          'no line of §6.1 contains "promote-read-replica-db-cluster": the runbook line changed or is gone; update the coverage map',
      },
    ]);
    expect(report.rows.filter((r) => r.kind === 'uncovered').map((r) => r.text)).toEqual([
      'Si lag < 300 secondes, exécuter `aws rds failover-global-cluster --allow-data-loss`.',
    ]);
  });

  it('checks the §13 offsets against the steps planned times', SLOW, async () => {
    const moved = runbook.replace('**T0 + 15 min** : basculer DNS', '**T0 + 10 min** : basculer DNS');
    const report = await traceRunbook(moved, coverage, loadScenario);
    expect(report.rows.find((r) => r.text.includes('basculer DNS'))?.problems).toEqual([
      'aurora-outage/dns is planned at 15m, the runbook says T0 + 10 min',
      'region-outage/dns is planned at 15m, the runbook says T0 + 10 min',
    ]);
  });

  it('`pnpm drill runbook` on the real runbook traces all 70 lines and exits 0', SLOW, async () => {
    const result = await runbookCommand(coverage);
    expect(result.exitCode).toBe(0);
    expect(result.text.trimEnd().split('\n').at(-1)).toBe(
      '70 lines: covered by steps 38, fault injection 1, probes 11, manual 3, engine 3; rejected 1, not automatable 13, planned 0, uncovered 0; stale 0',
    );
  });
});
