import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';
import { ingestRun } from './store.ts';
import { fixture, runDirWith } from './testing.ts';

function printed(): { lines: () => string } {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return { lines: () => spy.mock.calls.map((c) => String(c[0])).join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('compliance verify', () => {
  it('fails on a history that does not exist (a typo in the path is not a clean audit)', async () => {
    const out = printed();
    const missing = join(tmpdir(), 'no-such-compliance-history-x7');
    expect(await main(['verify', '--history', missing])).toBe(1);
    expect(out.lines()).toContain(`NOT VERIFIED: the compliance history ${missing} does not exist`);
  });

  it('fails on an empty history unless told that empty is expected', async () => {
    const out = printed();
    const empty = mkdtempSync(join(tmpdir(), 'compliance-history-'));
    expect(await main(['verify', '--history', empty])).toBe(1);
    expect(out.lines()).toContain('holds no record');
    expect(await main(['verify', '--history', empty, '--allow-empty'])).toBe(0);
    expect(out.lines()).toContain('verified: 0 records');
  });

  it('verifies a history with records', async () => {
    const out = printed();
    const historyDir = mkdtempSync(join(tmpdir(), 'compliance-history-'));
    ingestRun({ historyDir, runDir: runDirWith(fixture('self-test')) });
    expect(await main(['verify', '--history', historyDir])).toBe(0);
    expect(out.lines()).toContain('verified: 1 records');
  });
});
