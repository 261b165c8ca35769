// Links from a step's runbook reference ("§6.1") to that section of the runbook, for Allure and the run report.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runbookPathOf } from '../runbook/command.ts';
import { parseRunbook, type RunbookSection } from '../runbook/parse.ts';

/** Where the runbook is published (e.g. its GitHub blob URL); lines are linked as `<url>#L<line>`. */
export const RUNBOOK_URL_ENV = 'DRILL_RUNBOOK_URL';

export interface RunbookLink {
  ref: string;
  title: string;
  url: string;
}

export type RunbookLinker = (ref: string) => RunbookLink | undefined;

/** Resolves "§6.1" to its section (else its top section "§6") in the given runbook text. */
export function linkerFor(markdown: string, baseUrl: string): RunbookLinker {
  const sections = new Map<string, RunbookSection>(parseRunbook(markdown).sections.map((s) => [s.ref, s]));
  return (ref) => {
    const section = sections.get(ref) ?? sections.get(ref.replace(/\..*$/, ''));
    if (!section) return undefined;
    return { ref, title: `${section.ref} ${section.title}`, url: `${baseUrl}#L${section.line}` };
  };
}

/** The project's runbook ($DRILL_RUNBOOK or runbooks/), linked at $DRILL_RUNBOOK_URL or as a file URL. */
export function projectRunbookLinker(env: NodeJS.ProcessEnv = process.env): RunbookLinker {
  const path = runbookPathOf(undefined, env);
  const base = env[RUNBOOK_URL_ENV] || pathToFileURL(path).href;
  return linkerFor(readFileSync(path, 'utf8'), base);
}
