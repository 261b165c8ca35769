import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { announceCheckpoint, confirmCheckpoint, readCheckpoint } from './checkpoint.ts';
import { confirmerOf, promptCheckpoints, terminalOperator } from './terminal-prompt.ts';

const pending = (stepId: string) => ({
  stepId,
  title: 'Suspend production deploy pipelines',
  instruction: 'disable the deploy workflows',
  runbook: '§6.4',
  since: new Date().toISOString(),
  waitUpToMs: 600_000,
  onTimeout: 'abort' as const,
});

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
  });
  return { input, output, shown: () => shown };
}

describe('terminal prompt of a manual checkpoint', () => {
  it('Enter (or yes, done) confirms as the operator; anything else is the name of who confirms', () => {
    expect(confirmerOf('', 'ana')).toBe('ana');
    expect(confirmerOf(' Done ', 'ana')).toBe('ana');
    expect(confirmerOf('Bo Lee', 'ana')).toBe('Bo Lee');
    expect(terminalOperator({ DRILL_OPERATOR: ' ic-on-call ' })).toBe('ic-on-call');
  });

  it('asks when a checkpoint waits, and writes the answer as a terminal confirmation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prompt-'));
    const t = terminal();
    const stop = promptCheckpoints(dir, { input: t.input, output: t.output, operator: 'ana' });
    announceCheckpoint(dir, pending('freeze-deploys'));
    await expect.poll(t.shown, { timeout: 5_000 }).toContain('Press Enter once done to confirm as ana');
    expect(t.shown()).toContain('⏸ Manual checkpoint §6.4 Suspend production deploy pipelines');
    expect(t.shown()).toContain('Waits up to 10m 00s, then aborts the drill.');
    t.input.write('\n');
    await expect
      .poll(() => readCheckpoint(dir, 'freeze-deploys'), { timeout: 5_000 })
      .toMatchObject({ outcome: 'confirmed', by: 'ana', via: 'terminal' });
    stop();
  });

  it('closes the question when the page answered first, and keeps the page as the record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prompt-'));
    const t = terminal();
    const stop = promptCheckpoints(dir, { input: t.input, output: t.output, operator: 'ana' });
    announceCheckpoint(dir, pending('incident-ticket'));
    await expect.poll(t.shown, { timeout: 5_000 }).toContain('Press Enter');
    confirmCheckpoint(dir, 'incident-ticket', { by: 'bo', via: 'page' });
    await expect.poll(t.shown, { timeout: 5_000 }).toContain('answered elsewhere: confirmed by bo (page)');
    t.input.write('\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(readCheckpoint(dir, 'incident-ticket')).toMatchObject({ by: 'bo', via: 'page' });
    stop();
  });

  it('Ctrl-C at the prompt is still an interrupt (raw mode turns it into a keystroke)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prompt-'));
    const t = terminal();
    let interrupts = 0;
    const stop = promptCheckpoints(dir, {
      input: t.input,
      output: t.output,
      operator: 'ana',
      terminal: true,
      onCtrlC: () => interrupts++,
    });
    announceCheckpoint(dir, pending('incident-ticket'));
    await expect.poll(t.shown, { timeout: 5_000 }).toContain('Press Enter');
    t.input.write('\x03');
    await expect.poll(() => interrupts, { timeout: 5_000 }).toBe(1);
    expect(readCheckpoint(dir, 'incident-ticket')).toBeUndefined();
    stop();
  });
});
