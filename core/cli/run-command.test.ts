import { describe, expect, it } from 'vitest';
import { DrillError, ValidationError } from '../errors.ts';
import type { Target } from '../model.ts';
import { reportCliError } from './report-error.ts';
import { guardLiveTarget } from './run-command.ts';

const live: Target<unknown> = {
  name: 'prod',
  description: 'production',
  kind: 'live',
  aws: { regions: ['eu-west-1', 'us-east-1'], accountIds: ['123456789012'] },
  resources: {},
};

describe('guardLiveTarget', () => {
  it('refuses a live run without --execute, and says what to add', async () => {
    await expect(guardLiveTarget(live, { out: 'out' })).rejects.toThrow(
      'target "prod" is live: add --execute to run against it, or --dry-run to print the plan',
    );
  });

  it('lets a dry run and an --execute --yes run through', async () => {
    await expect(guardLiveTarget(live, { out: 'out', dryRun: true })).resolves.toBeUndefined();
    await expect(guardLiveTarget(live, { out: 'out', execute: true, yes: true })).resolves.toBeUndefined();
  });

  it('asks for --yes when it cannot prompt', async () => {
    const tty = process.stdin.isTTY;
    process.stdin.isTTY = false;
    try {
      await expect(guardLiveTarget(live, { out: 'out', execute: true })).rejects.toThrow(
        'target "prod" is live and stdin is not a terminal: confirm with --yes',
      );
    } finally {
      process.stdin.isTTY = tty;
    }
  });
});

describe('reportCliError', () => {
  it('maps bad input to exit 2 and anything else to exit 4', () => {
    const out: string[] = [];
    const write = (t: string) => out.push(t);
    expect(reportCliError(new DrillError('E_USAGE', 'no'), write)).toBe(2);
    expect(
      reportCliError(new ValidationError([{ file: 'scenarios/x.ts', path: 'name', message: 'bad' }]), write),
    ).toBe(2);
    expect(reportCliError(new TypeError('boom'), write)).toBe(4);
    expect(out.slice(0, 3)).toEqual([
      'drill: no\n',
      'scenarios/x.ts: name: bad\n',
      'drill: 1 problem; nothing was run\n',
    ]);
    expect(out[3]).toMatch(/^drill: internal error: TypeError: boom/);
  });
});
