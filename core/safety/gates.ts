// Preflight gates: the drill refuses to start (nothing injected) when the guardrails fail, another drill
// holds the target's lock, a FIS experiment already runs there, replication lags beyond the RPO, or the
// plan needs permissions the caller lacks. Steady state is the runner's own gate (core/runner/phases.ts).
import { formatDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import { runReadiness } from '../preflight/run.ts';
import type { ReadinessResult } from '../preflight/types.ts';
import { checkGuardrails, type GuardrailInput } from './guardrails.ts';
import { type HolderFacts, lockOwner, lockRefusal } from './lock.ts';
import type { LockStore, SafetyCheck } from './types.ts';

export interface GateInput extends GuardrailInput {
  runId: string;
  scenarioName: string;
  /** The RPO objective in ms and as written, e.g. 300000 and "5m". */
  rpo: { ms: number; text: string };
  lock: LockStore;
  facts: HolderFacts;
}

export interface GateOutcome {
  checks: SafetyCheck[];
  /** True when this run took the lock (release it on every exit path). */
  lockTaken: boolean;
  /** The refusals, one message each; empty when the drill may start. */
  refusals: string[];
}

const check = (name: string, status: SafetyCheck['status'], detail: string): SafetyCheck => ({
  name,
  status,
  detail,
});

export async function takeLock(input: GateInput): Promise<{ check: SafetyCheck; taken: boolean }> {
  const { target, lock } = input;
  try {
    const got = await lock.tryAcquire(lockOwner(input.runId, input.scenarioName), input.signal);
    if (got.acquired) return { check: check('lock', 'ok', `took ${lock.where}`), taken: true };
    return {
      check: check('lock', 'refused', lockRefusal(target.name, lock.where, got.holder, input.facts)),
      taken: false,
    };
  } catch (error) {
    return {
      check: check(
        'lock',
        'refused',
        `the drill lock of target "${target.name}" could not be taken (${lock.where}): ${errorMessage(error)}`,
      ),
      taken: false,
    };
  }
}

export async function checkExperiments(input: GuardrailInput): Promise<SafetyCheck> {
  const { target, platform } = input;
  const name = 'fis-experiments';
  if (!platform?.activeExperiments) {
    return target.kind === 'live'
      ? check(
          name,
          'refused',
          `${input.targetFile}: safety.platform: a live target must list its running FIS experiments`,
        )
      : check(name, 'skipped', 'the target runs no FIS: nothing to check');
  }
  try {
    const active = await platform.activeExperiments(target.aws.regions, input.signal);
    if (active.length === 0)
      return check(name, 'ok', `no FIS experiment running in ${target.aws.regions.join(', ')}`);
    const list = active.map(
      (e) => `${e.id} (${e.state} in ${e.region}${e.templateId ? `, template ${e.templateId}` : ''})`,
    );
    const stop = active.map((e) => `aws fis stop-experiment --id ${e.id} --region ${e.region}`).join('; ');
    return check(
      name,
      'refused',
      `a FIS experiment is already running on target "${target.name}": ${list.join(', ')}: wait for it to end, or stop it (${stop})`,
    );
  } catch (error) {
    return check(name, 'refused', `running FIS experiments could not be listed: ${errorMessage(error)}`);
  }
}

export async function checkReplicationLag(
  input: Pick<GateInput, 'platform' | 'signal' | 'rpo'>,
): Promise<SafetyCheck> {
  const name = 'replication-lag';
  const { platform } = input;
  if (!platform?.replicationLagMs) return check(name, 'skipped', 'the target reports no replication lag');
  try {
    const lag = await platform.replicationLagMs(input.signal);
    if (lag === null) return check(name, 'unknown', 'the platform reports no replication lag right now');
    if (lag > input.rpo.ms) {
      return check(
        name,
        'refused',
        `replication lag is ${formatDuration(lag)}, above the RPO objective ${input.rpo.text}: a failover now would lose more than the objective allows; wait until replication catches up`,
      );
    }
    return check(
      name,
      'ok',
      `replication lag ${formatDuration(lag)} is within the RPO objective ${input.rpo.text}`,
    );
  } catch (error) {
    return check(name, 'refused', `replication lag could not be read: ${errorMessage(error)}`);
  }
}

export async function checkPermissions(input: GuardrailInput): Promise<SafetyCheck> {
  const name = 'permissions';
  const { platform, target } = input;
  const calls = input.plan.flatMap((e) => e.calls);
  if (!platform?.checkPermissions) {
    return check(
      name,
      target.kind === 'live' ? 'unknown' : 'skipped',
      `${input.targetFile}: the target cannot simulate IAM policies: the ${calls.length} planned calls were NOT checked for permissions`,
    );
  }
  try {
    const report = await platform.checkPermissions(calls, input.signal);
    if (!report.checked)
      return check(name, 'unknown', `permissions NOT checked: ${report.note ?? 'the target cannot tell'}`);
    if (report.denied.length > 0) {
      const denied = report.denied.map(
        (d) =>
          `${d.action}${d.resource ? ` on ${d.resource}` : ''}${d.scope ? ` in ${d.scope}` : ''} (${d.decision})`,
      );
      return check(
        name,
        'refused',
        `the caller may not make ${report.denied.length} planned call(s): ${denied.join(', ')}: grant them to the drill's role, or run with credentials that have them`,
      );
    }
    return check(name, 'ok', `every one of ${report.actions} planned AWS actions is allowed`);
  } catch (error) {
    return check(name, 'unknown', `permissions NOT checked: the simulation failed: ${errorMessage(error)}`);
  }
}

/** The abort alarms exist and are not firing already (a drill must not start during an incident). */
export async function checkAbortAlarms(input: GuardrailInput): Promise<SafetyCheck> {
  const name = 'abort-alarms';
  const { target, platform } = input;
  const alarms = target.safety?.abortAlarms ?? [];
  if (alarms.length === 0)
    return check(name, 'skipped', `${input.targetFile} declares no safety.abortAlarms`);
  if (!platform?.alarmStates) {
    return check(
      name,
      'refused',
      `${input.targetFile}: safety.abortAlarms are declared but the target's safety platform cannot read alarms`,
    );
  }
  try {
    const readings = await platform.alarmStates(alarms, input.signal);
    const missing = readings.filter((r) => r.state === 'MISSING');
    if (missing.length > 0) {
      return check(
        name,
        'refused',
        `${input.targetFile}: safety.abortAlarms: ${missing.map((r) => `${r.name} does not exist in ${r.region}`).join(', ')}: create the alarm or fix its name`,
      );
    }
    const firing = readings.filter((r) => r.state === 'ALARM');
    if (firing.length > 0) {
      return check(
        name,
        'refused',
        `customer-facing alarm ${firing.map((r) => `${r.name} in ${r.region}`).join(', ')} is already in ALARM: no drill during an incident`,
      );
    }
    return check(
      name,
      'ok',
      `abort alarms ${alarms.map((a) => a.name).join(', ')} exist and are not in ALARM`,
    );
  } catch (error) {
    return check(name, 'refused', `abort alarms could not be read: ${errorMessage(error)}`);
  }
}

const SAFETY_STATUS = { pass: 'ok', fail: 'refused', 'could-not-check': 'unknown' } as const;

const fromReadiness = (r: ReadinessResult): SafetyCheck => ({
  name: `readiness: ${r.name}`,
  status: SAFETY_STATUS[r.status],
  detail: r.status !== 'pass' && r.fix ? `${r.reason}; fix: ${r.fix}` : r.reason,
});

/** Live targets: the readiness checks `pnpm drill preflight` runs (core/preflight), the same list. */
export async function checkReadiness(input: GuardrailInput): Promise<SafetyCheck[]> {
  const { target, platform } = input;
  if (target.kind !== 'live' || !platform?.readiness) return [];
  const checks = platform.readiness(input.plan.flatMap((e) => e.calls));
  return (await runReadiness(checks, input.signal)).map(fromReadiness);
}

/** Guardrails first (nothing else talks to a wrong account), then the lock, then the remaining gates. */
export async function runPreflightGates(input: GateInput): Promise<GateOutcome> {
  const checks = await checkGuardrails(input);
  const refusals = () => checks.filter((c) => c.status === 'refused').map((c) => c.detail);
  if (refusals().length > 0) return { checks, lockTaken: false, refusals: refusals() };
  const lock = await takeLock(input);
  checks.push(lock.check);
  if (!lock.taken) return { checks, lockTaken: false, refusals: refusals() };
  checks.push(
    ...(await Promise.all([
      checkExperiments(input),
      checkReplicationLag(input),
      checkAbortAlarms(input),
      checkPermissions(input),
    ])),
    ...(await checkReadiness(input)),
  );
  return { checks, lockTaken: true, refusals: refusals() };
}
