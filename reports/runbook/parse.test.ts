import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runbookPathOf } from './command.ts';
import { linesInRange, parseRunbook, plainText } from './parse.ts';

describe('parseRunbook on a small runbook', () => {
  const markdown = [
    '# Runbook',
    '## 1. Portée',
    'Une phrase de prose, pas une ligne.',
    '- Une puce du §1.',
    '## 6. Bascule',
    '1. **Base de données**  ',
    '   - Vérifier   le `lag`.  ',
    '   - Promouvoir.',
    '2. **Cache**',
    '   - Monter Redis.',
    '## 12. Annexes',
    '- Commandes utiles :',
    '  - `aws rds describe-global-clusters`',
    '  - `kubectl get pods`',
    '- Une ligne seule.',
  ].join('\n');

  it('finds sections, numbered bold sub-blocks and bullets; prose and headings are not lines', () => {
    const doc = parseRunbook(markdown);
    expect(doc.sections).toEqual([
      { ref: '§1', title: 'Portée', line: 2 },
      { ref: '§6', title: 'Bascule', line: 5 },
      { ref: '§6.1', title: 'Base de données', line: 6 },
      { ref: '§6.2', title: 'Cache', line: 9 },
      { ref: '§12', title: 'Annexes', line: 11 },
    ]);
    expect(doc.lines).toEqual([
      { section: '§1', text: 'Une puce du §1.', line: 4 },
      { section: '§6.1', text: 'Vérifier le `lag`.', line: 7 },
      { section: '§6.1', text: 'Promouvoir.', line: 8 },
      { section: '§6.2', text: 'Monter Redis.', line: 10 },
      { section: '§12', text: '`aws rds describe-global-clusters`', line: 13, group: 'Commandes utiles' },
      { section: '§12', text: '`kubectl get pods`', line: 14, group: 'Commandes utiles' },
      { section: '§12', text: 'Une ligne seule.', line: 15 },
    ]);
  });

  it('keeps the lines of a range of top-level sections', () => {
    const lines = linesInRange(parseRunbook(markdown), 4, 13);
    expect(lines.map((l) => l.line)).toEqual([7, 8, 10, 13, 14, 15]);
  });

  it('plainText drops bold and code marks', () => {
    expect(plainText('**T0 + 5 min** : lancer `aws rds x`')).toBe('T0 + 5 min : lancer aws rds x');
  });
});

describe('parseRunbook on the real runbook', () => {
  const doc = parseRunbook(readFileSync(runbookPathOf(), 'utf8'));

  it('has the 14 sections and the sub-blocks of §6 and §9', () => {
    expect(doc.sections.map((s) => s.ref)).toEqual([
      '§1',
      '§2',
      '§3',
      '§4',
      '§5',
      '§6',
      '§6.1',
      '§6.2',
      '§6.3',
      '§6.4',
      '§6.5',
      '§7',
      '§8',
      '§9',
      '§9.1',
      '§9.2',
      '§9.3',
      '§9.4',
      '§9.5',
      '§10',
      '§11',
      '§12',
      '§13',
      '§14',
    ]);
    expect(doc.sections.find((s) => s.ref === '§6.2')?.title).toBe('Queues & cache');
  });

  it('counts 70 actionable lines in §4–§13, section by section', () => {
    const lines = linesInRange(doc, 4, 13);
    const counts: Record<string, number> = {};
    for (const l of lines) counts[l.section] = (counts[l.section] ?? 0) + 1;
    expect(counts).toEqual({
      '§4': 3,
      '§5': 3,
      '§6.1': 4,
      '§6.2': 3,
      '§6.3': 3,
      '§6.4': 3,
      '§6.5': 3,
      '§7': 3,
      '§8': 4,
      '§9.1': 4,
      '§9.2': 3,
      '§9.3': 3,
      '§9.4': 2,
      '§9.5': 2,
      '§10': 5,
      '§11': 4,
      '§12': 12,
      '§13': 6,
    });
    expect(lines).toHaveLength(70);
    expect(lines.find((l) => l.section === '§13')?.text).toBe(
      '**T0 + 0 min** : déclencher alerte factice sur Aurora.',
    );
    expect(lines.filter((l) => l.group === 'Commandes utiles')).toHaveLength(6);
  });
});
