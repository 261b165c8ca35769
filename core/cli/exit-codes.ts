// Exit codes of `pnpm drill`, one place, documented in --help.
export const EXIT = {
  passed: 0,
  failed: 1,
  badInput: 2,
  aborted: 3,
  internal: 4,
  refused: 5,
  secondInterrupt: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    passed: every objective and check held
  1    failed: an objective (RTO, RPO) was breached or a check failed
  2    bad input: invalid scenario, target or arguments (every problem listed; nothing executed or written)
  3    aborted: stopped by Ctrl-C; the undo stack was rolled back
  4    internal error (a bug: please report it with the run directory)
  5    refused: a guardrail or preflight gate stopped the drill before anything was injected; with --dry-run:
       the real run would refuse. Every problem is listed with its fix
  130  second Ctrl-C: exited at once without rolling back; run \`pnpm drill rollback <run-id>\``;
