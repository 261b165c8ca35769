// Who approved a drill and who took part: compliance evidence recorded in result.json.

/** Env vars the CLI's --approver / --participants set, so a vitest worker sees them too. */
export const APPROVER_ENV = 'DRILL_APPROVER';
export const PARTICIPANTS_ENV = 'DRILL_PARTICIPANTS';

export interface SignOff {
  approver: string | null;
  participants: string[];
}

/** Participants from "alice, bob ,carol": trimmed, empties dropped, duplicates kept once. */
export function parseParticipants(text: string | undefined): string[] {
  const names = (text ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return [...new Set(names)];
}

/** The sign-off from DRILL_APPROVER / DRILL_PARTICIPANTS; undefined when neither is set. */
export function signOffFromEnv(env: NodeJS.ProcessEnv = process.env): SignOff | undefined {
  const approver = env[APPROVER_ENV]?.trim() || null;
  const participants = parseParticipants(env[PARTICIPANTS_ENV]);
  if (approver === null && participants.length === 0) return undefined;
  return { approver, participants };
}

/** Puts --approver / --participants into the env the engine reads (flags win over the env). */
export function applySignOffFlags(
  flags: { approver?: string; participants?: string },
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (flags.approver !== undefined) env[APPROVER_ENV] = flags.approver;
  if (flags.participants !== undefined) env[PARTICIPANTS_ENV] = flags.participants;
}
