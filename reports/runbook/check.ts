// Matches the coverage map to the runbook lines and checks every reference against the real scenarios,
// so a renamed step or an edited runbook line shows up as stale instead of silently passing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from '../../core/duration.ts';
import type { ProbeDefinition, RunbookFinding, Scenario, StepDefinition } from '../../core/model.ts';
import { PROJECT_ROOT } from '../../core/registry.ts';
import {
  type CoverageEntry,
  type CoverageKind,
  coverageKind,
  type StepRef,
} from '../../core/runbook-coverage.ts';
import { stepIdOf } from '../../core/validate/slug.ts';
import { didYouMean } from '../../core/validate/suggest.ts';
import type { RunbookLine } from './parse.ts';

/** Finds a scenario by name; undefined when there is none. */
export type ScenarioLoader = (name: string) => Promise<Scenario | undefined>;

export interface CoverageRow {
  section: string;
  /** 1-based line in the runbook file. */
  line: number;
  text: string;
  kind: CoverageKind | 'uncovered';
  /** What covers it, e.g. "aurora-outage/promotion"; empty for uncovered, not automatable, planned, rejected. */
  by: string[];
  /** Why not automated / planned / rejected, or the note on a covered line. */
  why?: string;
  /** The later issue that will cover it (planned lines). */
  planned?: string;
  findings: RunbookFinding[];
  /** Stale references, ambiguous matches: each makes the command fail. */
  problems: string[];
}

export interface StaleEntry {
  section: string;
  fragment: string;
  problem: string;
}

export interface CoverageReport {
  rows: CoverageRow[];
  /** Entries that match no runbook line (the line was edited or removed). */
  stale: StaleEntry[];
}

interface Parts {
  steps: Map<string, StepDefinition>;
  probes: Map<string, { probe: ProbeDefinition; phase: string }>;
  scenario: Scenario;
}

function partsOf(scenario: Scenario): Parts {
  const steps = new Map<string, StepDefinition>();
  for (const step of [...scenario.failover, ...(scenario.restore ?? [])]) steps.set(stepIdOf(step), step);
  const probes = new Map<string, { probe: ProbeDefinition; phase: string }>();
  const phases = { steadyState: scenario.steadyState, recovery: scenario.recovery, verify: scenario.verify };
  for (const [phase, list] of Object.entries(phases)) {
    for (const probe of list) if (!probes.has(probe.name)) probes.set(probe.name, { probe, phase });
  }
  return { steps, probes, scenario };
}

const T0_OFFSET = /T0\s*\+\s*(\d+)\s*min/;

/** Resolves the rows: one per runbook line, in runbook order. */
export async function checkCoverage(
  lines: RunbookLine[],
  entries: CoverageEntry[],
  load: ScenarioLoader,
): Promise<CoverageReport> {
  const cache = new Map<string, Promise<Parts | undefined>>();
  const scenario = (name: string) => {
    if (!cache.has(name))
      cache.set(
        name,
        load(name).then((s) => (s ? partsOf(s) : undefined)),
      );
    return cache.get(name) as Promise<Parts | undefined>;
  };

  const matches = new Map<CoverageEntry, RunbookLine[]>();
  for (const entry of entries) {
    matches.set(
      entry,
      lines.filter((l) => l.section === entry.section && l.text.includes(entry.fragment)),
    );
  }
  const stale: StaleEntry[] = [];
  for (const [entry, found] of matches) {
    if (found.length === 0) {
      stale.push({
        section: entry.section,
        fragment: entry.fragment,
        problem: `no line of ${entry.section} contains "${entry.fragment}": the runbook line changed or is gone; update the coverage map`,
      });
    }
  }

  const rows: CoverageRow[] = [];
  for (const line of lines) {
    const covering = entries.filter((e) => matches.get(e)?.includes(line));
    const base = { section: line.section, line: line.line, text: line.text };
    if (covering.length === 0) {
      rows.push({ ...base, kind: 'uncovered', by: [], findings: [], problems: [] });
      continue;
    }
    const entry = covering[0] as CoverageEntry;
    const problems: string[] = [];
    if (covering.length > 1) {
      problems.push(
        `${covering.length} entries match this line (fragments ${covering.map((e) => `"${e.fragment}"`).join(', ')}): keep one`,
      );
    }
    const shared = matches.get(entry)?.length ?? 0;
    if (shared > 1)
      problems.push(
        `fragment "${entry.fragment}" matches ${shared} lines of ${entry.section}: make it unique`,
      );
    rows.push({ ...base, ...(await resolveEntry(entry, line, scenario, problems)), problems });
  }
  return { rows, stale };
}

async function resolveEntry(
  entry: CoverageEntry,
  line: RunbookLine,
  scenario: (name: string) => Promise<Parts | undefined>,
  problems: string[],
): Promise<Omit<CoverageRow, 'section' | 'line' | 'text' | 'problems'>> {
  const c = entry.covered;
  const kind = coverageKind(c);
  const findings = [...(entry.findings ?? [])];
  const by: string[] = [];

  const step = async ([name, id]: StepRef, manual: boolean) => {
    const parts = await scenario(name);
    if (!parts) return void problems.push(`no scenario "${name}" (scenarios/${name}.ts)`);
    const found = parts.steps.get(id);
    if (!found) {
      const guess = didYouMean(id, [...parts.steps.keys()]);
      return void problems.push(
        `scenario ${name} has no step "${id}"${guess ? ` (did you mean "${guess}"?)` : `; its steps: ${[...parts.steps.keys()].join(', ')}`}`,
      );
    }
    if (manual && !found.title.startsWith('Manual: '))
      problems.push(`${name}/${id} is not a manual checkpoint`);
    if (entry.timed) checkOffset(line, name, id, found, problems);
    by.push(`${name}/${id}`);
  };

  if ('steps' in c) for (const ref of c.steps) await step(ref, false);
  if ('manual' in c) for (const ref of c.manual) await step(ref, true);
  if ('probes' in c) {
    for (const [name, probeName] of c.probes) {
      const parts = await scenario(name);
      if (!parts) {
        problems.push(`no scenario "${name}" (scenarios/${name}.ts)`);
        continue;
      }
      const found = parts.probes.get(probeName);
      if (!found) {
        problems.push(
          `scenario ${name} has no probe "${probeName}"; its probes: ${[...parts.probes.keys()].join(', ')}`,
        );
        continue;
      }
      by.push(`${name}/${probeName} (${found.phase})`);
    }
  }
  if ('fault' in c) {
    for (const name of c.fault) {
      const parts = await scenario(name);
      if (!parts) problems.push(`no scenario "${name}" (scenarios/${name}.ts)`);
      else by.push(`${name}/fault`);
    }
  }
  if ('engine' in c) {
    if (!existsSync(join(PROJECT_ROOT, c.engine.module)))
      problems.push(`engine module ${c.engine.module} does not exist`);
    by.push(c.engine.module);
  }
  const why =
    'notAutomatable' in c
      ? c.notAutomatable
      : 'rejected' in c
        ? c.rejected
        : 'planned' in c
          ? c.why
          : 'engine' in c
            ? [c.engine.what, entry.note].filter(Boolean).join('; ')
            : entry.note;
  return {
    kind,
    by,
    ...(why !== undefined ? { why } : {}),
    ...('planned' in c ? { planned: c.planned } : {}),
    findings,
  };
}

/** §13 says "T0 + 5 min": the step must be planned at 5m. */
function checkOffset(line: RunbookLine, name: string, id: string, step: StepDefinition, problems: string[]) {
  const offset = T0_OFFSET.exec(line.text);
  if (!offset) return void problems.push(`timed entry, but the line has no "T0 + N min"`);
  const wanted = Number(offset[1]) * 60_000;
  const planned = step.plannedAt === undefined ? undefined : parseDuration(step.plannedAt);
  if (planned !== wanted) {
    problems.push(
      `${name}/${id} is planned at ${step.plannedAt ?? 'no offset'}, the runbook says T0 + ${offset[1]} min`,
    );
  }
}
