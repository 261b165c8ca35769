// Issue #15: Ctrl-C on `pnpm drill aurora-outage 2>&1 | tee drill.log` is SIGINT to the whole process group: tee dies
// with it, and the drill's stdout and stderr break (EPIPE). The drill must neither die of it nor count it twice:
// one abort, rolled back (or forward) as after a plain Ctrl-C, its output going on to the run's console.log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstInterruptMessage } from '../core/cli/interrupt.ts';
import { readJournal, runDirIn, waitForJournal } from '../core/cli/spawn-drill.ts';
import type { JournalData } from '../core/journal.ts';
import { CONSOLE_LOG_FILE } from '../core/output/console-log.ts';
import { justFinished } from './testing/interrupt-after-step.ts';
import { failoverKept, inPhase, regionServingAfter } from './testing/interrupt-case.ts';
import { PHASES } from './testing/interrupt-suite.ts';
import { PRIMARY_REGION, type SafetyLab, servingRegion, startSafetyLab } from './testing/safety-lab.ts';
import { spawnTeePipeline } from './testing/terminal-pipeline.ts';

interface TeeOutcome {
  atSignal: JournalData;
  journal: JournalData;
  result?: { verdict: string; reason: string };
  tee: string;
  consoleLog: string;
  signalledAtMs: number;
  /** From the signal until no process of the pipeline is left. */
  endedAfterMs: number;
}

interface TeeCase {
  name: string;
  /** Its out dir's suffix and its name in the timings line. */
  dir: string;
  /** The journal at the moment Ctrl-C is pressed. */
  when: (j: JournalData) => boolean;
  expectAlso?: (o: TeeOutcome) => void;
}

// Every phase the SIGINT suite interrupts, and inside the failover both sides of the promotion (the irreversible step).
const TEE_CASES: TeeCase[] = PHASES.flatMap((phase): TeeCase[] => {
  if (phase !== 'failover') return [{ name: `during ${phase}`, dir: phase, when: inPhase(phase) }];
  return [
    {
      name: 'during failover, before the promotion',
      dir: 'failover',
      when: (j) => inPhase('failover')(j) && !failoverKept(j),
      expectAlso: (o) => expect(failoverKept(o.atSignal)).toBe(false),
    },
    {
      name: 'right after the promotion',
      dir: 'promotion',
      when: justFinished('promotion'),
      expectAlso: (o) => {
        expect(failoverKept(o.atSignal)).toBe(true);
        expect(o.journal.reason).toContain('rolled forward');
      },
    },
  ];
});

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function ctrlCThroughTee(
  lab: SafetyLab,
  name: string,
  when: (j: JournalData) => boolean,
): Promise<TeeOutcome> {
  const started = performance.now();
  const outDir = join(lab.outDir, `tee-${name}`);
  const pipeline = spawnTeePipeline(['aurora-outage', '--out', outDir], lab.env, lab.outDir);
  const atSignal = await waitForJournal(outDir, pipeline, when, 180_000);
  pipeline.signalGroup('SIGINT');
  const signalledAt = performance.now();
  await pipeline.exited;
  const runDir = runDirIn(outDir) as string;
  let result: TeeOutcome['result'];
  try {
    result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8'));
  } catch {}
  return {
    atSignal,
    journal: readJournal(runDir) as JournalData,
    ...(result ? { result: { verdict: result.verdict, reason: result.reason } } : {}),
    tee: pipeline.output(),
    consoleLog: readText(join(runDir, CONSOLE_LOG_FILE)),
    signalledAtMs: Math.round(signalledAt - started),
    endedAfterMs: Math.round(performance.now() - signalledAt),
  };
}

describe.sequential('Ctrl-C to the process group of `pnpm drill aurora-outage 2>&1 | tee`', {
  timeout: 360_000,
}, () => {
  let lab: SafetyLab;
  const timings: string[] = [];
  beforeAll(async () => {
    const started = performance.now();
    lab = await startSafetyLab('safety-tee', { wanLatencyMs: 50, healthCheckIntervalMs: 250 });
    timings.push(`lab boot ${Math.round(performance.now() - started)} ms`);
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
    process.stdout.write(`[tee] ${timings.join(', ')}\n`);
  }, 60_000);

  /** Serving (writer and DNS agree, an order goes through), nothing injected, lock free, a verdict recorded. */
  async function expectLeftServing(o: TeeOutcome, region: string): Promise<void> {
    const context = `tee:\n${o.tee}\nconsole.log:\n${o.consoleLog}`;
    const status = await lab.status();
    expect(
      { writer: status.writer, dns: status.dns.region, serving: servingRegion(status) },
      context,
    ).toEqual({ writer: region, dns: region, serving: region });
    expect(status.faults, context).toEqual([]);
    expect(await lab.liveExperiments()).toEqual([]);
    // No lock held: released, or never created (Ctrl-C in the lab's first drill before preflight took it).
    expect(await lab.lockState()).toMatch(/^(free|absent)$/);
    expect(await lab.placeOrder()).toMatch(/\S/);
    expect({ state: o.journal.state, verdict: o.journal.verdict }, context).toEqual({
      state: 'finished',
      verdict: 'aborted',
    });
    expect(o.journal.undos.filter((u) => u.status !== 'done' && u.status !== 'skipped')).toEqual([]);
    expect(o.result?.verdict).toBe('aborted');
    // One abort: the first Ctrl-C's message, and never the second one's exit.
    expect(o.consoleLog).toContain(firstInterruptMessage(o.journal.runId));
    expect(o.consoleLog).not.toContain('Exited without rolling back');
    expect(o.journal.reason).toMatch(/^aborted by the operator \(SIGINT\)/);
    // tee died with the group: the end of the run reached only the run's own log.
    expect(o.consoleLog).toContain('verdict: ABORTED (exit 3): aborted by the operator (SIGINT)');
    expect(o.tee).not.toContain('verdict: ABORTED');
  }

  it.each(TEE_CASES)('$name: the target serves where the interrupted run left it', async (c) => {
    const o = await ctrlCThroughTee(lab, c.dir, c.when);
    timings.push(`${c.dir}: SIGINT at ${o.signalledAtMs} ms, ended ${o.endedAfterMs} ms later`);
    const region = regionServingAfter(o.journal);
    await expectLeftServing(o, region);
    c.expectAlso?.(o);
    if (region !== PRIMARY_REGION && c !== TEE_CASES.at(-1)) {
      const restart = performance.now();
      await lab.restart();
      timings.push(`restart ${Math.round(performance.now() - restart)} ms`);
    }
  });
});
