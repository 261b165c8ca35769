// The identity the lab's AWS endpoint gives every caller: the drill role, assumed in session "lab", with
// its identity policy (drill-role-policy.json by default, replaceable through the lab's control API).
import { readFileSync } from 'node:fs';
import { type Policy, parsePolicy } from './policy.ts';

export const DRILL_ROLE_NAME = 'luneo-drill';
export const DRILL_SESSION_NAME = 'lab';
export const DRILL_POLICY_NAME = 'luneo-drill-policy';
const ROLE_ID = 'AROALABDRILLROLE0000';

export const drillRoleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/${DRILL_ROLE_NAME}`;

/** What STS GetCallerIdentity answers in the lab. */
export function drillCallerIdentity(accountId: string) {
  return {
    arn: `arn:aws:sts::${accountId}:assumed-role/${DRILL_ROLE_NAME}/${DRILL_SESSION_NAME}`,
    userId: `${ROLE_ID}:${DRILL_SESSION_NAME}`,
    account: accountId,
  };
}

export const DEFAULT_POLICY_FILE = new URL('./drill-role-policy.json', import.meta.url);

/** The drill role's default identity policy: what the drills use, nothing more. */
export function defaultDrillPolicy(): Policy {
  return parsePolicy(DRILL_POLICY_NAME, readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
}
