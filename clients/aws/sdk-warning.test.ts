import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

function withoutOptOut(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  return env;
}

function stderrOfBuildingAClient(preload: string): string {
  const script = `${preload}const { STSClient } = await import('@aws-sdk/client-sts'); new STSClient({ region: 'eu-west-1' });`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: withoutOptOut(),
  });
  expect(run.status).toBe(0);
  return run.stderr;
}

describe.runIf(Number(process.versions.node.split('.')[0]) < 22)("the SDK's Node version warning", () => {
  it('is shown by a bare SDK client on this Node (the control: the check below can fail)', () => {
    expect(stderrOfBuildingAClient('')).toContain('NodeVersionSupportWarning');
  });

  it('is not shown once the drill has loaded its AWS client configuration', () => {
    expect(stderrOfBuildingAClient("await import('./clients/aws/config.ts');")).not.toContain(
      'NodeVersionSupportWarning',
    );
  });
});
