import { describe, expect, it } from 'vitest';
import { abortReason, interruptStages, SAME_INTERRUPT_MS } from './interrupt.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('interruptStages', () => {
  it('Ctrl-C to the process group, relayed again by a parent (npm): one abort, not an exit', () => {
    const c = clock();
    const stage = interruptStages(c.now);
    expect(stage('SIGINT')).toBe('abort');
    c.advance(5);
    expect(stage('SIGINT')).toBe('ignore');
    c.advance(SAME_INTERRUPT_MS);
    expect(stage('SIGINT')).toBe('exit');
  });

  it('a hang-up aborts like Ctrl-C, and a later one never exits without rolling back', () => {
    const c = clock();
    const stage = interruptStages(c.now);
    expect(stage('SIGHUP')).toBe('abort');
    c.advance(10 * SAME_INTERRUPT_MS);
    expect(stage('SIGHUP')).toBe('ignore');
    expect(stage('SIGINT')).toBe('exit');
  });

  it('a cancelled CI job (SIGINT, then SIGTERM 7.5 s later) keeps rolling back: only a second Ctrl-C exits', () => {
    const c = clock();
    const stage = interruptStages(c.now);
    expect(stage('SIGINT')).toBe('abort');
    c.advance(7_500);
    expect(stage('SIGTERM')).toBe('ignore');
    expect(stage('SIGINT')).toBe('exit');
  });

  it('a SIGTERM alone aborts and rolls back, and says who asked', () => {
    const stage = interruptStages(clock().now);
    expect(stage('SIGTERM')).toBe('abort');
    expect(abortReason('SIGTERM').message).toBe('aborted: the process was asked to stop (SIGTERM)');
  });

  it('names the hang-up in the reason', () => {
    expect(abortReason('SIGHUP').message).toBe('aborted: the terminal hung up (SIGHUP)');
    expect(abortReason('SIGINT').message).toBe('aborted by the operator (SIGINT)');
  });
});
