// result.json's provenance: the tool's build, the CI run, and the AWS identity the drill ran as (STS, asked through
// the target's safety platform; absent for targets without one, with `error` when STS did not answer).
import { errorMessage } from '../errors.ts';
import type { SafetyPlatform } from '../safety/types.ts';
import { type CiRun, ciRun, type ToolBuild, toolBuild } from './tool.ts';

export interface Provenance {
  tool: ToolBuild;
  ci?: CiRun;
  caller?: { account: string; arn: string } | { error: string };
}

const STS_WAIT_MS = 5_000;

export async function provenanceOf(platform: SafetyPlatform | undefined): Promise<Provenance> {
  const ci = ciRun();
  return {
    tool: toolBuild(),
    ...(ci ? { ci } : {}),
    ...(platform?.callerIdentity ? { caller: await callerOf(platform.callerIdentity.bind(platform)) } : {}),
  };
}

async function callerOf(
  ask: NonNullable<SafetyPlatform['callerIdentity']>,
): Promise<NonNullable<Provenance['caller']>> {
  try {
    const { account, arn } = await ask(AbortSignal.timeout(STS_WAIT_MS));
    return { account, arn };
  } catch (error) {
    return { error: `STS GetCallerIdentity: ${errorMessage(error)}` };
  }
}
