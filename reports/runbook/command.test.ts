import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario, defineStep, type Scenario } from '../../core/model.ts';
import { type CoverageEntry, defineCoverage } from '../../core/runbook-coverage.ts';
import { checkCoverage } from './check.ts';
import { runbookCommand, runbookPathOf, traceRunbook } from './command.ts';
import { formatJson, formatText, groupRefs, summarize } from './format.ts';

const RUNBOOK = [
  '## 4. Détection',
  '- Alarmes `a-lag`, `b-5xx`.',
  '- Ouvrir le ticket JIRA.',
  '## 6. Bascule',
  '1. **Base**',
  '   - Promouvoir avec `promote-read-replica`.',
  '   - Vérifier `curl /health`.',
  '## 7. Communication',
  '- Prévenir le support.',
  '- Une ligne que personne ne couvre.',
  '## 13. Exercices',
  '- **T0 + 5 min** : exécuter la promotion.',
].join('\n');

const step = (id: string, title: string, plannedAt?: string) =>
  defineStep({ id, title, plannedAt, run: async () => undefined });

const demo = defineScenario({
  name: 'demo',
  summary: 'a scenario for the report test',
  objectives: { rto: '30m', rpo: '5m', stableFor: '5s' },
  steadyState: [],
  fault: { title: 'nothing', inject: async () => undefined, revert: async () => {} },
  failover: [
    step('detect', 'Detect'),
    step('ticket', 'Manual: open the ticket'),
    step('promote', 'Promote', '6m'),
  ],
  recovery: [],
  verify: [{ name: 'health', check: async () => ({ ok: true }) }],
}) as Scenario;

const load = async (name: string) => (name === 'demo' ? demo : undefined);

const finding = {
  runbook: '§6.1',
  says: 'promote-read-replica',
  actually: 'FailoverGlobalCluster',
  severity: 'major',
} as const;

const MAP: CoverageEntry[] = defineCoverage([
  { section: '§4', fragment: 'Alarmes', covered: { steps: [['demo', 'detect']] } },
  { section: '§4', fragment: 'ticket JIRA', covered: { manual: [['demo', 'ticket']] } },
  { section: '§4', fragment: 'Grafana', covered: { manual: [['demo', 'ticket']] } },
  {
    section: '§6.1',
    fragment: 'promote-read-replica',
    covered: { steps: [['demo', 'promote']] },
    findings: [finding],
  },
  { section: '§6.1', fragment: 'curl /health', covered: { probes: [['demo', 'health']] } },
  { section: '§7', fragment: 'support', covered: { planned: 'issue 8', why: 'chat webhook later' } },
  { section: '§13', fragment: 'promotion', covered: { steps: [['demo', 'promote']] }, timed: true },
]);

describe('runbook report on a small runbook', () => {
  it('prints every line with how it is covered, findings, stale entries and the summary', async () => {
    const report = await traceRunbook(RUNBOOK, MAP, load);
    expect(formatText(report, 'RB.md')).toBe(
      [
        'Runbook traceability: RB.md',
        '',
        'Section  Runbook line                                              How                Findings  By',
        '§4       Alarmes a-lag, b-5xx.                                     steps                        detect [demo]',
        '§4       Ouvrir le ticket JIRA.                                    manual                       ticket [demo]',
        '§6.1     Promouvoir avec promote-read-replica.                     steps              F1        promote [demo]',
        '§6.1     Vérifier curl /health.                                    probes                       health (verify) [demo]',
        '§7       Prévenir le support.                                      planned (issue 8)',
        '         why: chat webhook later',
        '§7       Une ligne que personne ne couvre.                         UNCOVERED',
        '§13      T0 + 5 min : exécuter la promotion.                       steps                        promote [demo]',
        '         STALE: demo/promote is planned at 6m, the runbook says T0 + 5 min',
        '',
        'Findings (where the runbook is wrong or misleading)',
        'F1 [major] §6.1 says: promote-read-replica',
        '   actually: FailoverGlobalCluster',
        '',
        'Stale coverage entries',
        '§4 "Grafana": no line of §4 contains "Grafana": the runbook line changed or is gone; update the coverage map',
        '',
        '7 lines: covered by steps 3, fault injection 0, probes 1, manual 1, engine 0; rejected 0, not automatable 0, planned 1, uncovered 1; stale 2',
        'Not every line is traced: cover each UNCOVERED line and fix each STALE reference in the coverage map',
        '',
      ].join('\n'),
    );
  });

  it('gives the same facts as JSON', async () => {
    const report = await traceRunbook(RUNBOOK, MAP, load);
    const json = JSON.parse(formatJson(report, 'RB.md'));
    expect(json.ok).toBe(false);
    expect(json.summary).toEqual({
      lines: 7,
      byKind: {
        steps: 3,
        fault: 0,
        probes: 1,
        manual: 1,
        engine: 0,
        rejected: 0,
        notAutomatable: 0,
        planned: 1,
        uncovered: 1,
      },
      stale: 2,
    });
    expect(json.rows[2]).toEqual({
      section: '§6.1',
      line: 6,
      text: 'Promouvoir avec `promote-read-replica`.',
      kind: 'steps',
      by: ['demo/promote'],
      findings: [finding],
      problems: [],
    });
    expect(json.rows[4]).toMatchObject({ kind: 'planned', planned: 'issue 8', why: 'chat webhook later' });
  });

  it('reports a renamed step, a missing probe and a missing scenario as stale references', async () => {
    const lines = [{ section: '§4', text: 'Alarmes', line: 1 }];
    const check = (entry: CoverageEntry) =>
      checkCoverage(lines, [entry], load).then((r) => r.rows[0]?.problems);
    expect(
      await check({ section: '§4', fragment: 'Alarmes', covered: { steps: [['demo', 'promotion']] } }),
    ).toEqual(['scenario demo has no step "promotion" (did you mean "promote"?)']);
    expect(
      await check({ section: '§4', fragment: 'Alarmes', covered: { probes: [['demo', 'smoke']] } }),
    ).toEqual(['scenario demo has no probe "smoke"; its probes: health']);
    expect(await check({ section: '§4', fragment: 'Alarmes', covered: { steps: [['gone', 'x']] } })).toEqual([
      'no scenario "gone" (scenarios/gone.ts)',
    ]);
    expect(
      await check({ section: '§4', fragment: 'Alarmes', covered: { manual: [['demo', 'detect']] } }),
    ).toEqual(['demo/detect is not a manual checkpoint']);
    expect(
      await check({
        section: '§4',
        fragment: 'Alarmes',
        covered: { engine: { what: 'x', module: 'core/nope.ts' } },
      }),
    ).toEqual(['engine module core/nope.ts does not exist']);
  });

  it('flags two entries on one line and a fragment matching two lines', async () => {
    const lines = [
      { section: '§4', text: 'Alarmes a', line: 1 },
      { section: '§4', text: 'Alarmes b', line: 2 },
    ];
    const report = await checkCoverage(
      lines,
      [
        { section: '§4', fragment: 'Alarmes', covered: { notAutomatable: 'x' } },
        { section: '§4', fragment: 'Alarmes b', covered: { notAutomatable: 'y' } },
      ],
      load,
    );
    expect(report.rows.map((r) => r.problems)).toEqual([
      ['fragment "Alarmes" matches 2 lines of §4: make it unique'],
      [
        '2 entries match this line (fragments "Alarmes", "Alarmes b"): keep one',
        'fragment "Alarmes" matches 2 lines of §4: make it unique',
      ],
    ]);
    expect(summarize(report).stale).toBe(2);
  });

  it('groups references by step across scenarios', () => {
    expect(groupRefs(['a/promotion', 'b/promotion', 'b/dns', 'core/audit.ts'])).toBe(
      'promotion [a, b], dns [b], core/audit.ts',
    );
  });
});

describe('runbookCommand', () => {
  it('says which path it looked at and which variable to set when the runbook is missing', async () => {
    await expect(runbookCommand([], { runbookPath: '/nowhere/RB.md' })).rejects.toThrow(
      'runbook not found at /nowhere/RB.md: set DRILL_RUNBOOK=<path to RUNBOOK_DR_MULTI_REGION.md>',
    );
    expect(() => runbookPathOf(undefined, { DRILL_RUNBOOK: '/also/missing.md' })).toThrow(
      'runbook not found at /also/missing.md: set DRILL_RUNBOOK',
    );
  });

  it('reads DRILL_RUNBOOK and exits 1 when a line is uncovered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-'));
    const path = join(dir, 'RB.md');
    writeFileSync(path, '## 4. Détection\n- Une ligne que personne ne couvre.\n');
    expect(runbookPathOf(undefined, { DRILL_RUNBOOK: path })).toBe(path);
    const result = await runbookCommand(MAP, { runbookPath: path, json: true });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.text).rows).toEqual([
      {
        section: '§4',
        line: 2,
        text: 'Une ligne que personne ne couvre.',
        kind: 'uncovered',
        by: [],
        findings: [],
        problems: [],
      },
    ]);
  });
});
