// The way back from an irreversible step, as the exact command to type: `pnpm drill switchback (…)` on a
// live target becomes `pnpm drill switchback --target prod --execute (…)`.

export function exactWayBack(
  wayBack: string,
  runId: string,
  target: { name: string; kind: 'lab' | 'live' },
): string {
  const text = wayBack.replaceAll('<run-id>', runId);
  const command = /^pnpm drill ([a-z0-9][a-z0-9-]*)(?=\s|$)/.exec(text);
  if (!command || command[1] === 'rollback' || /\s--target\s/.test(text)) return text;
  const flags = ` --target ${target.name}${target.kind === 'live' ? ' --execute' : ''}`;
  return `${command[0]}${flags}${text.slice(command[0].length)}`;
}

/** The scenario a way back runs (`pnpm drill <scenario> …`), for --restore-on-abort; undefined when it is prose. */
export function wayBackScenario(wayBack: string): string | undefined {
  const command = /^pnpm drill ([a-z0-9][a-z0-9-]*)(?=\s|$)/.exec(wayBack);
  return command && command[1] !== 'rollback' ? command[1] : undefined;
}
