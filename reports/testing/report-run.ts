// Test helper for reports/drill-reports.lab.test.ts: one lab daemon (as `pnpm lab up` runs it), a history of
// three quick lab drills in three past quarters (real runs, the clock shifted with --clock-offset and recorded),
// ingested as dr-drill.yml does, then this quarter's `pnpm drill aurora-outage` and `pnpm report`.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../core/registry.ts';
import {
  loggedExchanges,
  type RecordedDrillTraffic,
} from '../../lab/aws/conformance/testing/drill-traffic-checks.ts';
import { startDaemon, stopDaemon } from '../../lab/platform/daemon-control.ts';
import { makeLabDir } from '../../lab/testing/lab-fixture.ts';
import { main as complianceMain } from '../compliance/cli.ts';
import { type CliOutcome, REPORT_CLI, runCli, runMain } from './cli-process.ts';
import { drillInThisProcess, drillInto, type LabDrill } from './lab-drills.ts';

/** Screenshots and copies of the reports, kept after the run (CI uploads out/). */
export const SCREENSHOTS = join(PROJECT_ROOT, 'out', 'test-artifacts', 'reports');

/**
 * 100 days apart: each run falls in its own past quarter (a quarter is at most 92 days), and the last is more
 * than 90 days old, so api-pod-kill is overdue. api-pod-kill is the quickest lab drill (≈ 16 s of drill).
 */
export const HISTORY: { offset: string; signOff?: { approver: string; participants: string } }[] = [
  { offset: '-300d' },
  { offset: '-200d' },
  { offset: '-100d', signOff: { approver: 'Dana Ops', participants: 'sre-a, sre-b' } },
];

export interface ReportRun {
  /** Real time the lab was up (epoch ms). */
  bootedAt: number;
  outDir: string;
  historyDir: string;
  env: NodeJS.ProcessEnv;
  history: LabDrill[];
  /** `pnpm compliance ingest --from <out>/runs` after the history runs (in this process). */
  ingest: Omit<CliOutcome, 'stderr'>;
  aurora: LabDrill;
  /** Every AWS exchange the lab served, checked against the AWS models as it went (LAB_AWS_CONFORMANCE=record). */
  awsTraffic: RecordedDrillTraffic;
  /** `pnpm report` after the aurora-outage run, and the paths it printed. */
  report: CliOutcome;
  written: string[];
  /** Wall time of each stage, ms: where this file's time goes. */
  stages: Record<string, number>;
  /** Removes the out dir (the lab is down already; KEEP_LAB=1 keeps both directories). */
  close(): Promise<void>;
}

export async function bootReportRun(): Promise<ReportRun> {
  const stages: Record<string, number> = {};
  let mark = performance.now();
  const stage = (name: string) => {
    stages[name] = Math.round(performance.now() - mark);
    mark = performance.now();
  };
  const labDir = makeLabDir('reports-lab');
  const outDir = mkdtempSync(join(tmpdir(), 'reports-lab-out-'));
  // In the out dir: it is read after the lab is down and its directory removed.
  const conformanceLog = join(outDir, 'aws-conformance.jsonl');
  const keep = process.env.KEEP_LAB === '1';
  const labDown = async () => {
    await stopDaemon(labDir);
    if (!keep) await rm(labDir, { recursive: true, force: true });
  };
  const close = async () => {
    if (!keep) await rm(outDir, { recursive: true, force: true });
  };
  try {
    // The lab daemon as `pnpm lab up` runs it: the drills (processes or not) find it through LAB_DIR. It checks
    // every AWS exchange against the service models (issue 22 §2): the drills' traffic is proven on these runs.
    await startDaemon(labDir, {
      env: { LAB_AWS_CONFORMANCE: 'record', LAB_AWS_CONFORMANCE_LOG: conformanceLog },
    });
    stage('lab up');
    const bootedAt = Date.now();
    const historyDir = join(outDir, 'compliance-history');
    // What every drill here runs with (in this process or not); the processes also get the out and history dirs.
    const drillEnv = { LAB_DIR: labDir, CI: '1', DRILL_APPROVER: 'Env Approver' };
    const env = {
      ...process.env,
      ...drillEnv,
      DRILL_OUT_DIR: outDir,
      DRILL_COMPLIANCE_HISTORY: historyDir,
    };
    const history: LabDrill[] = [];
    for (const { offset, signOff } of HISTORY) {
      // `pnpm drill api-pod-kill --in-process --clock-offset=<offset>`, run in this process: the history needs
      // no Allure results, and a process per run would cost its start-up (seconds on a loaded machine) each time.
      const drill = await drillInThisProcess(
        outDir,
        'api-pod-kill',
        { clockOffset: offset, ...signOff },
        drillEnv,
      );
      if (drill.code !== 0) throw new Error(`api-pod-kill ${offset} exited ${drill.code}:\n${drill.output}`);
      history.push(drill);
      stage(`api-pod-kill ${offset}`);
    }
    const ingest = await runMain(complianceMain, [
      'ingest',
      '--from',
      join(outDir, 'runs'),
      '--history',
      historyDir,
    ]);
    stage('ingest');
    const auroraFrom = loggedExchanges(conformanceLog);
    const aurora = await drillInto(outDir, ['aurora-outage'], env);
    stage('aurora-outage');
    const report = await runCli(REPORT_CLI, [], env);
    stage('pnpm report');
    // Nothing after this needs the lab: stop it so the browser checks do not share the CPU with it.
    await labDown();
    stage('lab down');
    return {
      bootedAt,
      outDir,
      historyDir,
      env,
      history,
      ingest,
      aurora,
      awsTraffic: { logFile: conformanceLog, auroraFrom, auroraOutput: aurora.output },
      report,
      written: report.stdout.trim().split('\n'),
      stages,
      close,
    };
  } catch (error) {
    await labDown();
    await close();
    throw error;
  }
}
