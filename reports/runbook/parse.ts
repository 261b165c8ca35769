// Reads the runbook markdown into numbered sections and their actionable lines (bullets), so each line can be
// traced to the step, probe or checkpoint that rehearses it.

/** A section such as "§6" or a numbered sub-block such as "§6.1" ("1. **Base de données**" under "## 6."). */
export interface RunbookSection {
  ref: string;
  title: string;
  /** 1-based line of the heading in the file. */
  line: number;
}

/** One bullet of the runbook: something someone is told to do, check or know. */
export interface RunbookLine {
  /** The innermost section: "§6.1", "§13". */
  section: string;
  /** The bullet's text, markdown kept, whitespace collapsed: "Vérifier le lag `aws rds …`". */
  text: string;
  /** 1-based line in the file. */
  line: number;
  /** The label of the bullet group it belongs to ("Commandes utiles"), if any. */
  group?: string;
}

export interface RunbookDocument {
  sections: RunbookSection[];
  lines: RunbookLine[];
}

const SECTION = /^##\s+(\d+)\.\s+(.*?)\s*$/;
const SUB_BLOCK = /^(\d+)\.\s+\*\*(.+?)\*\*/;
const BULLET = /^(\s*)[-*]\s+(.*?)\s*$/;

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Sections are `## N. Title`; numbered bold items (`1. **Base de données**`) open sub-sections `§N.k`.
 * Bullets are lines; a bullet ending in ":" followed by more indented bullets is a group label, not a line.
 * Headings and prose paragraphs are not lines.
 */
export function parseRunbook(markdown: string): RunbookDocument {
  const rows = markdown.split(/\r?\n/);
  const sections: RunbookSection[] = [];
  const lines: RunbookLine[] = [];
  let section: RunbookSection | undefined;
  let top: RunbookSection | undefined;
  let group: { label: string; indent: number } | undefined;

  rows.forEach((raw, i) => {
    const heading = SECTION.exec(raw);
    if (heading) {
      top = section = { ref: `§${heading[1]}`, title: collapse(heading[2] ?? ''), line: i + 1 };
      sections.push(section);
      group = undefined;
      return;
    }
    if (!top) return;
    const sub = SUB_BLOCK.exec(raw);
    if (sub) {
      section = { ref: `${top.ref}.${sub[1]}`, title: collapse(sub[2] ?? ''), line: i + 1 };
      sections.push(section);
      group = undefined;
      return;
    }
    const bullet = BULLET.exec(raw);
    if (!bullet || !section) return;
    const indent = (bullet[1] ?? '').length;
    const text = collapse(bullet[2] ?? '');
    if (group && indent <= group.indent) group = undefined;
    if (text.endsWith(':') && nextBulletIndent(rows, i) > indent) {
      group = { label: text.replace(/\s*:$/, ''), indent };
      return;
    }
    lines.push({ section: section.ref, text, line: i + 1, ...(group ? { group: group.label } : {}) });
  });
  return { sections, lines };
}

function nextBulletIndent(rows: string[], from: number): number {
  for (let j = from + 1; j < rows.length; j++) {
    const row = rows[j] ?? '';
    if (row.trim() === '') continue;
    const bullet = BULLET.exec(row);
    return bullet ? (bullet[1] ?? '').length : -1;
  }
  return -1;
}

/** The top-level number of a ref: "§6.1" → 6. */
export function sectionNumber(ref: string): number {
  return Number.parseInt(ref.slice(1), 10);
}

/** Lines of sections `from`..`to` inclusive (the runbook's actionable part is §4–§13). */
export function linesInRange(doc: RunbookDocument, from: number, to: number): RunbookLine[] {
  return doc.lines.filter((l) => sectionNumber(l.section) >= from && sectionNumber(l.section) <= to);
}

/** "**Base** de `données`" → "Base de données": the line as a reader sees it, for tables. */
export function plainText(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '$1').replace(/`([^`]*)`/g, '$1');
}
