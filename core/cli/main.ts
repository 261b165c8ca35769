// `pnpm drill`: list, run a scenario, rollback, show. Exit codes in exit-codes.ts and --help.
import { Argument, Command, CommanderError, Option } from 'commander';
import type { IamPolicyCliOptions } from '../../apps/luneo/safety/iam-policy-command.ts';
import { guardStdio } from '../output/stdio.ts';
import { scenarioCatalogue } from '../registry.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { reportCliError } from './report-error.ts';
import type { SchemaDocument } from './schema-documents.ts';

const DEFAULT_OUT = 'out';

function program(): Command {
  const cli = new Command('drill')
    .description(
      'Regional disaster-recovery drills as code: inject a fault, run the runbook, measure RTO and RPO.',
    )
    .argument('[scenario]', 'scenario to run (apps/<app>/scenarios/<name>.ts); `pnpm drill list` shows them')
    .option(
      '-t, --target <name>',
      "target to run on (apps/<app>/targets/<name>.ts); default: the scenario's defaultTarget, else lab",
    )
    .option('--dry-run', 'validate and print the plan with every call it would make; change nothing')
    .option('--execute', 'required to run against a live target')
    .option('-y, --yes', 'with --execute: do not ask to type the target name')
    .option(
      '--restore-on-abort',
      'if the drill aborts after a step that cannot be undone (the promotion), run its way back (the switchback) at once',
    )
    .option('-o, --out <dir>', 'output directory (runs go to <out>/runs/<run-id>/)', DEFAULT_OUT)
    .option(
      '--auto-confirm',
      'manual checkpoints confirm themselves at once (recorded via: auto); the default on lab targets',
    )
    .option('--no-auto-confirm', 'manual checkpoints wait for a person, also on a lab target')
    .addOption(
      new Option('--in-process', 'run the engine in this process, without vitest and Allure results'),
    )
    .option(
      '--approver <name>',
      'who approved this drill, recorded in result.json (default: $DRILL_APPROVER)',
    )
    .option(
      '--participants <names>',
      'comma-separated people taking part, recorded in result.json (default: $DRILL_PARTICIPANTS)',
    )
    .option(
      '--clock-offset <duration>',
      'shift the recorded wall time, e.g. -200d, to make test history; recorded as clockOffset, refused on live targets (default: $DRILL_CLOCK_OFFSET)',
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .exitOverride()
    .option('-V, --version', 'print the version and git commit of the tool')
    .action(async (scenario: string | undefined, opts) => {
      if (opts.version) {
        const { versionText } = await import('../provenance/tool.ts');
        process.stdout.write(`${versionText()}\n`);
        return;
      }
      if (!scenario) {
        cli.outputHelp();
        process.exitCode = EXIT.badInput;
        return;
      }
      const { runCommand } = await import('./run-command.ts');
      process.exitCode = await runCommand(scenario, opts);
    });

  cli
    .command('list')
    .description('list scenarios with their summary')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(() => {
      const entries = scenarioCatalogue();
      const width = Math.max(0, ...entries.map((e) => e.name.length));
      for (const e of entries) process.stdout.write(`${e.name.padEnd(width)}  ${e.summary}\n`);
      process.exitCode = EXIT.passed;
    });

  cli
    .command('show')
    .description('print a run: verdict, phases, steps, RTO/RPO, pending undos')
    .argument('<run-id>', 'the run id (a folder of <out>/runs/)')
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT)
    .option('--serve', "serve the run's live page (as during the drill) from its files until Ctrl-C")
    .option('--open', 'as --serve, and open the page in the desktop browser')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (runId: string, opts: { out: string; serve?: boolean; open?: boolean }) => {
      const { formatRun, runDirOf, serveRun } = await import('./show.ts');
      const runDir = runDirOf(opts.out, runId);
      if (opts.serve || opts.open) await serveRun(runDir, { open: opts.open });
      else process.stdout.write(`${formatRun(runDir)}\n`);
      process.exitCode = EXIT.passed;
    });

  cli
    .command('halt')
    .description(
      'stop a running drill from another terminal, as Ctrl-C does: it rolls back (or rolls forward after a step that cannot be undone)',
    )
    .argument('<run-id>', 'the run id (a folder of <out>/runs/)')
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT)
    .option('--reason <text>', 'why, recorded in the verdict')
    .option('--by <name>', 'who halts (default: $DRILL_OPERATOR, else the login name)')
    .option('--no-wait', 'return once the halt is requested, without waiting for the run to end')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (runId: string, opts: { out: string; reason?: string; by?: string; wait: boolean }) => {
      const { haltCommand } = await import('./halt-command.ts');
      process.exitCode = await haltCommand(runId, opts);
    });

  cli
    .command('rollback')
    .description('run the pending undos of a run (killed, crashed, or interrupted twice), from its journal')
    .argument('<run-id>', 'the run id (a folder of <out>/runs/)')
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT)
    .option('--restore', "also run the scenario's restore steps (the way back from irreversible steps)")
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (runId: string, opts: { out: string; restore?: boolean }) => {
      const [{ rollbackCommand }, { runDirOf }] = await Promise.all([
        import('./rollback-command.ts'),
        import('./show.ts'),
      ]);
      process.exitCode = await rollbackCommand(runDirOf(opts.out, runId), { restore: opts.restore });
    });

  cli
    .command('preflight')
    .description(
      'check, read-only, that the target is ready for the scenario: resources, alarms, quotas, roles, keys, permissions',
    )
    .argument('<scenario>', 'the scenario whose plan to check (apps/<app>/scenarios/<name>.ts)')
    .option(
      '-t, --target <name>',
      "target to check (apps/<app>/targets/<name>.ts); default: the scenario's, else lab",
    )
    .option('--json', 'machine-readable output (CI)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (scenario: string, opts: { target?: string; json?: boolean }) => {
      const { preflightCommand } = await import('../preflight/command.ts');
      process.exitCode = await preflightCommand(scenario, opts);
    });

  cli
    .command('iam-policy')
    .description(
      "the least-privilege policies of the drill role and the FIS role for a scenario on a target, with their trust policies, from the preflight's permission plan (JSON)",
    )
    .argument('<scenario>', 'scenario (apps/<app>/scenarios/<name>.ts)')
    .option('-t, --target <name>', 'target (apps/<app>/targets/<name>.ts); default as for a run')
    .option('--role-name <name>', 'name of the drill role', 'luneo-drill')
    .option(
      '--github-repository <owner/name>',
      'repository whose jobs may assume the role',
      process.env.GITHUB_REPOSITORY,
    )
    .option('--github-environment <name>', 'GitHub environment of the drill job', 'production')
    .option('--dir <dir>', 'also write the policy documents there, for `aws iam ... file://<dir>/<file>`')
    .action(async (scenario: string, opts: IamPolicyCliOptions) => {
      const { iamPolicyCommand } = await import('../../apps/luneo/safety/iam-policy-command.ts');
      process.exitCode = await iamPolicyCommand(scenario, opts);
    });

  cli
    .command('runbook')
    .description(
      'trace every actionable line of the runbook (§4–§13) to the step, probe or manual checkpoint that covers it, or say why not',
    )
    .option('--json', 'machine-readable output')
    .option(
      '--runbook <path>',
      'the runbook (default: $DRILL_RUNBOOK, else runbooks/RUNBOOK_DR_MULTI_REGION.md)',
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (opts: { json?: boolean; runbook?: string }) => {
      // The CLI is the composition root: it hands Luneo's coverage map to the reports' runbook check.
      const { runbookCommand } = await import('../../reports/runbook/command.ts');
      const { default: coverage } = await import('../../apps/luneo/runbook/coverage.ts');
      const { text, exitCode } = await runbookCommand(coverage, {
        json: opts.json,
        ...(opts.runbook ? { runbookPath: opts.runbook } : {}),
      });
      process.stdout.write(`${text}\n`);
      process.exitCode = exitCode;
    });

  cli
    .command('schema', { hidden: true })
    .description(
      'print the JSON Schema of result.json, actions.jsonl (one line), the event stream or compliance.json',
    )
    .addArgument(
      new Argument('[document]').choices(['result', 'actions', 'events', 'compliance']).default('result'),
    )
    .action(async (document: SchemaDocument) => {
      const { schemaText } = await import('./schema-documents.ts');
      process.stdout.write(schemaText(document));
    });
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors; every other parse error is bad input.
      return error.exitCode === 0 ? EXIT.passed : EXIT.badInput;
    }
    return reportCliError(error);
  }
}

// Before anything is written: a closed terminal or a dead pipe reader must never stop a run.
guardStdio();
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The drill is over and its results are written. If scenario code left a timer or a socket open,
// say so and exit rather than hang (the timer is unref'd: it never keeps a clean process alive).
setTimeout(() => {
  process.stderr.write(
    'drill: something the scenario started is still running after the drill ended; exiting\n',
  );
  process.exit(code);
}, 2000).unref();
