// A lab daemon that enforces IAM on every call of the drill role (LAB_AWS_IAM_ENFORCE=1, lab/aws/iam/authorize.ts),
// and the drill role policy `pnpm drill iam-policy <scenario> --target lab` generates for it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill } from '../../core/cli/spawn-drill.ts';
import { startDaemon, stopDaemon } from '../../lab/platform/daemon-control.ts';
import type { LabInfo } from '../../lab/platform/info.ts';
import { makeLabDir } from '../../lab/testing/lab-fixture.ts';

export interface PolicyStatement {
  Sid: string;
  Action: string[];
  Resource: string[];
}
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

export interface EnforcedLab {
  dir: string;
  info: LabInfo;
  env: NodeJS.ProcessEnv;
  outDir: string;
  /** `pnpm drill iam-policy <scenario> --target lab`: the drill role's generated identity policy. */
  generatePolicy(scenario: string): Promise<PolicyDocument>;
  /** Makes `policy` the drill role's identity policy (the lab's control API). */
  setPolicy(policy: PolicyDocument): Promise<void>;
  /** The lab's log lines of calls IAM refused since `from` (a length of the log read before). */
  refusals(from?: number): string[];
  logLength(): number;
  mutations(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startEnforcedLab(prefix: string): Promise<EnforcedLab> {
  const dir = makeLabDir(prefix);
  const outDir = mkdtempSync(join(tmpdir(), `${prefix}-out-`));
  const info = await startDaemon(dir, { env: { LAB_AWS_IAM_ENFORCE: '1', LAB_WAN_LATENCY_MS: '250' } });
  const env = { ...process.env, CI: '1', LAB_DIR: dir };
  const log = () => {
    try {
      return readFileSync(join(dir, 'lab.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${info.controlUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`lab control ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  return {
    dir,
    info,
    env,
    outDir,
    async generatePolicy(scenario) {
      const policyDir = mkdtempSync(join(tmpdir(), `${prefix}-policy-`));
      const { code, output } = await runDrill(
        ['iam-policy', scenario, '--target', 'lab', '--github-repository', 'luneo/drill', '--dir', policyDir],
        env,
      );
      try {
        if (code !== 0) throw new Error(`drill iam-policy ${scenario} exited ${code}:\n${output}`);
        return JSON.parse(readFileSync(join(policyDir, 'drill-role-policy.json'), 'utf8')) as PolicyDocument;
      } finally {
        await rm(policyDir, { recursive: true, force: true });
      }
    },
    async setPolicy(policy) {
      await control('POST', '/iam-policy', policy);
    },
    refusals: (from = 0) =>
      log()
        .slice(from)
        .split('\n')
        .filter((line) => line.includes('(IAM: ')),
    logLength: () => log().length,
    mutations: () => control('GET', '/mutations') as Promise<Record<string, number>>,
    async close() {
      await stopDaemon(dir);
      if (process.env.KEEP_LAB !== '1') {
        await rm(dir, { recursive: true, force: true });
        await rm(outDir, { recursive: true, force: true });
      }
    },
  };
}

/** The policy without the statement named `sid`. */
export const withoutStatement = (policy: PolicyDocument, sid: string): PolicyDocument => ({
  ...policy,
  Statement: policy.Statement.filter((s) => s.Sid !== sid),
});
