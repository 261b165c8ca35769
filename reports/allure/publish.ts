// allure-js-commons calls the drill harness makes inside its tests: the step tree with real timings,
// labels, parameters, runbook links and the run's evidence as attachments.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachment, attachmentPath, labels, links, parameter, Status } from 'allure-js-commons';
import type { RuntimeMessage } from 'allure-js-commons/sdk';
import { getGlobalTestRuntime } from 'allure-js-commons/sdk/runtime';
import type { RunResult } from '../../core/runner/result-schema.ts';
import type { RunbookLinker } from '../run/runbook-links.ts';
import { timelineSvg } from '../run/timeline-svg.ts';
import {
  type DrillTestKind,
  drillLabels,
  type NameValue,
  runbookLinks,
  samplesCsv,
  samplesJson,
} from './evidence.ts';
import type { AllureNode } from './timeline.ts';

const STATUS: Record<AllureNode['status'], Status> = {
  passed: Status.PASSED,
  failed: Status.FAILED,
  broken: Status.BROKEN,
  skipped: Status.SKIPPED,
};

async function send(message: RuntimeMessage): Promise<void> {
  const runtime = getGlobalTestRuntime() as { sendMessage?(m: RuntimeMessage): Promise<void> };
  await runtime.sendMessage?.(message);
}

/** Replays the run's phases and steps as nested Allure steps with their real start and stop times. */
export async function mirrorSteps(nodes: AllureNode[]): Promise<void> {
  for (const node of nodes) {
    // allure-js-commons' step() would time the replay, not the run: send the messages with the recorded times.
    await send({ type: 'step_start', data: { name: node.name, start: node.start } });
    if (node.parameters.length) await send({ type: 'step_metadata', data: { parameters: node.parameters } });
    await mirrorSteps(node.children);
    await send({
      type: 'step_stop',
      data: {
        stop: node.stop,
        status: STATUS[node.status],
        ...(node.detail ? { statusDetails: { message: node.detail } } : {}),
      },
    });
  }
}

export interface DrillIdentity {
  scenario: string;
  target: string;
  kind: 'lab' | 'live';
  runId: string;
}

/** Labels and the target / run parameters every test of a drill carries. */
export async function describeTest(
  drill: DrillIdentity,
  test: DrillTestKind,
  extra: NameValue[] = [],
): Promise<void> {
  await labels(...drillLabels(drill, test));
  await parameter('target', drill.target);
  // The run id differs every run: kept out of Allure's history id so runs of one drill line up in history.
  await parameter('run id', drill.runId, { excluded: true });
  for (const p of extra) await parameter(p.name, p.value, { excluded: true });
}

/** Runbook sections as links; the run's files, probe samples and timeline as attachments. */
export async function attachRunEvidence(
  result: RunResult,
  runDir: string,
  link?: RunbookLinker,
): Promise<void> {
  if (link) {
    const sections = runbookLinks(result, link);
    if (sections.length)
      await links(...sections.map((l) => ({ url: l.url, name: `runbook ${l.title}`, type: 'runbook' })));
  }
  const files: [string, string, string][] = [
    ['result.json', 'result.json', 'application/json'],
    ['journal.json', 'journal.json', 'application/json'],
    ['actions.jsonl', 'audit log (actions.jsonl, secrets redacted)', 'application/x-ndjson'],
  ];
  for (const [file, name, type] of files) {
    const path = join(runDir, file);
    if (existsSync(path)) await attachment(name, readFileSync(path, 'utf8'), type);
  }
  if (result.probes.samples?.length) {
    await attachment('probe samples (JSON)', samplesJson(result), 'application/json');
    await attachment('probe samples (CSV)', samplesCsv(result), 'text/csv');
  }
  const svg = timelineSvg(result);
  if (svg) await attachment('timeline chart', svg, 'image/svg+xml');
  // Screenshots, the canary ledger and other files the run attached.
  for (const a of result.attachments) {
    const path = join(runDir, a.path);
    if (existsSync(path)) await attachmentPath(a.name, path, a.contentType);
  }
}
