// Guardrails, checked before anything mutating: the right AWS account, only the target's regions, and
// exactly the kube contexts the target names. Each refusal names the target file, the field and the fix.
import { errorMessage } from '../errors.ts';
import type { PlannedCall, Target } from '../model.ts';
import type { SafetyCheck, SafetyPlatform } from './types.ts';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const PLACEHOLDER_ACCOUNT = /^0{12}$/;
const KUBERNETES = 'kubernetes';

export interface PlanEntry {
  stepId: string;
  title: string;
  calls: PlannedCall[];
}

export interface GuardrailInput {
  target: Target<unknown>;
  targetFile: string;
  plan: PlanEntry[];
  platform: SafetyPlatform | undefined;
  signal: AbortSignal;
}

const ok = (name: string, detail: string): SafetyCheck => ({ name, status: 'ok', detail });
const refused = (name: string, detail: string): SafetyCheck => ({ name, status: 'refused', detail });
const skipped = (name: string, detail: string): SafetyCheck => ({ name, status: 'skipped', detail });

/** A placeholder account id (000000000000) refuses before anything, even building the target's clients. */
export function checkPlaceholderAccount(
  target: Target<unknown>,
  targetFile: string,
): SafetyCheck | undefined {
  const placeholder = target.aws.accountIds?.find((id) => PLACEHOLDER_ACCOUNT.test(id));
  if (!placeholder) return undefined;
  const from = target.safety?.accountIdFrom;
  return refused(
    'aws-account',
    `${targetFile}: aws.accountIds: ${placeholder} is a placeholder, not an AWS account: ${from ? `set ${from} to the account id (12 digits)` : 'put the real account id there'} and run again`,
  );
}

/** The caller's account must be in target.aws.accountIds (STS GetCallerIdentity). */
export async function checkAccount(input: GuardrailInput): Promise<SafetyCheck> {
  const { target, targetFile, platform } = input;
  const name = 'aws-account';
  const allowed = target.aws.accountIds;
  const field = `${targetFile}: aws.accountIds`;
  const placeholder = checkPlaceholderAccount(target, targetFile);
  if (placeholder) return placeholder;
  if (!allowed) {
    return target.kind === 'live'
      ? refused(name, `${field}: a live target must list the AWS account ids it may touch`)
      : skipped(name, `${targetFile} lists no aws.accountIds: account not checked (lab target)`);
  }
  if (!platform?.callerIdentity) {
    return target.kind === 'live'
      ? refused(
          name,
          `${targetFile}: safety.platform: a live target needs a safety platform that asks STS who the caller is`,
        )
      : skipped(name, `${targetFile}: the target cannot tell its caller identity: account not checked`);
  }
  let identity: Awaited<ReturnType<NonNullable<SafetyPlatform['callerIdentity']>>>;
  try {
    identity = await platform.callerIdentity(input.signal);
  } catch (error) {
    return refused(
      name,
      `STS GetCallerIdentity failed, so the account cannot be checked against ${field}: ${errorMessage(error)}; check the AWS credentials (AWS_PROFILE)`,
    );
  }
  if (!allowed.includes(identity.account)) {
    return refused(
      name,
      `${field}: the credentials in use belong to account ${identity.account} (${identity.arn}), which is not in the allow-list [${allowed.join(', ')}]: switch to credentials of an allowed account, or fix aws.accountIds`,
    );
  }
  return ok(name, `account ${identity.account} (${identity.arn}) is in aws.accountIds`);
}

/** Every region a planned AWS call, a kube context key or an abort alarm names must be in target.aws.regions. */
export function checkRegions(input: Pick<GuardrailInput, 'target' | 'targetFile' | 'plan'>): SafetyCheck {
  const { target, targetFile } = input;
  const name = 'aws-regions';
  const allowed = new Set(target.aws.regions);
  const outside: string[] = [];
  const seen = new Set<string>();
  const note = (region: string, where: string) => {
    if (allowed.has(region) || seen.has(region)) return;
    seen.add(region);
    outside.push(`${region} (${where})`);
  };
  for (const entry of input.plan) {
    for (const call of entry.calls) {
      if (call.service === KUBERNETES || !call.scope || !REGION.test(call.scope)) continue;
      note(call.scope, `${call.service} ${call.operation} in "${entry.stepId}"`);
    }
  }
  for (const key of Object.keys(target.kube?.contexts ?? {}))
    if (REGION.test(key)) note(key, `kube.contexts.${key}`);
  for (const [i, alarm] of (target.safety?.abortAlarms ?? []).entries())
    note(alarm.region, `safety.abortAlarms[${i}]`);
  if (outside.length > 0) {
    return refused(
      name,
      `${targetFile}: aws.regions: the drill would touch ${outside.join(', ')}, outside the target's regions [${target.aws.regions.join(', ')}]: add the region to aws.regions if the drill may touch it, or fix the scenario`,
    );
  }
  return ok(name, `every region touched is in aws.regions [${target.aws.regions.join(', ')}]`);
}

/** The kube contexts the plan uses must be ones the target names (read from the plan only: no call). */
export function checkKubeContextsNamed(
  input: Pick<GuardrailInput, 'target' | 'targetFile' | 'plan'>,
): SafetyCheck {
  const { target, targetFile } = input;
  const name = 'kube-contexts';
  const named = new Set(Object.values(target.kube?.contexts ?? {}));
  const used = new Map<string, string>();
  for (const entry of input.plan) {
    for (const call of entry.calls) {
      if (call.service !== KUBERNETES || !call.scope || used.has(call.scope)) continue;
      used.set(call.scope, `${call.operation} in "${entry.stepId}"`);
    }
  }
  if (used.size === 0) return skipped(name, 'the plan makes no Kubernetes call');
  const unnamed = [...used].filter(([ctx]) => !named.has(ctx));
  if (unnamed.length > 0) {
    return refused(
      name,
      `${targetFile}: kube.contexts: the plan uses ${unnamed.map(([ctx, where]) => `context "${ctx}" (${where})`).join(', ')}, which the target does not name [${[...named].join(', ')}]: name it in kube.contexts, or fix the resources that point at it`,
    );
  }
  return ok(name, `contexts ${[...used.keys()].join(', ')} are named by the target`);
}

/** The kube contexts the plan uses must be exactly ones the target names, and exist in the kubeconfig. */
export async function checkKubeContexts(input: GuardrailInput): Promise<SafetyCheck> {
  const { target, targetFile, platform } = input;
  const name = 'kube-contexts';
  const naming = checkKubeContextsNamed(input);
  if (naming.status !== 'ok') return naming;
  const named = new Map(Object.entries(target.kube?.contexts ?? {}).map(([key, ctx]) => [ctx, key]));
  const used = new Set(
    input.plan.flatMap((e) => e.calls.filter((c) => c.service === KUBERNETES && c.scope).map((c) => c.scope)),
  );
  if (!platform?.kubeContexts) {
    return target.kind === 'live'
      ? refused(
          name,
          `${targetFile}: safety.platform: a live target needs a safety platform that reads the kubeconfig`,
        )
      : skipped(name, `the target cannot list its kubeconfig contexts: contexts not checked against it`);
  }
  let kubeconfig: { kubeconfig: string; contexts: string[] };
  try {
    kubeconfig = await platform.kubeContexts(input.signal);
  } catch (error) {
    return refused(name, `the kubeconfig could not be read: ${errorMessage(error)}`);
  }
  const present = new Set(kubeconfig.contexts);
  const missing = [...used].filter((ctx): ctx is string => ctx !== undefined && !present.has(ctx));
  if (missing.length > 0) {
    return refused(
      name,
      `${targetFile}: ${missing.map((ctx) => `kube.contexts.${named.get(ctx)}: context "${ctx}"`).join(', ')} not in the kubeconfig ${kubeconfig.kubeconfig} (it has: ${kubeconfig.contexts.join(', ') || 'none'}): add it (for EKS: aws eks update-kubeconfig --name <cluster> --region <region>) or fix kube.contexts`,
    );
  }
  return ok(name, `contexts ${[...used].join(', ')} are named by the target and in ${kubeconfig.kubeconfig}`);
}

/** All guardrails, in order; the account is checked first and alone (nothing else talks to a wrong account). */
export async function checkGuardrails(input: GuardrailInput): Promise<SafetyCheck[]> {
  const account = await checkAccount(input);
  if (account.status === 'refused') return [account];
  return [account, checkRegions(input), await checkKubeContexts(input)];
}
