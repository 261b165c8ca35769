import { describe, expect, it } from 'vitest';
import { UndoStack } from './undo.ts';

function entry(id: string, markers: string[], body?: (signal: AbortSignal) => Promise<void>) {
  return {
    id,
    kind: 'step' as const,
    stepId: id,
    title: `Step ${id}`,
    timeoutMs: 50,
    timeoutSetting: `failover[${id}].timeout`,
    file: 'scenarios/x.ts',
    run: async (signal: AbortSignal, undoData: unknown) => {
      markers.push(`undo ${id} ${JSON.stringify(undoData ?? null)}`);
      await body?.(signal);
    },
  };
}

describe('UndoStack', () => {
  it('unwinds most recent first with the undoData recorded after registration', async () => {
    const markers: string[] = [];
    const stack = new UndoStack();
    stack.push(entry('a', markers));
    stack.push(entry('b', markers));
    stack.setUndoData('a', { version: 'v1' });
    const outcomes = await stack.unwind();
    expect(markers).toEqual(['undo b null', 'undo a {"version":"v1"}']);
    expect(outcomes.map((o) => `${o.id}:${o.status}`)).toEqual(['b:done', 'a:done']);
    expect(stack.size).toBe(0);
  });

  it('keeps going past a failing undo and reports its error', async () => {
    const markers: string[] = [];
    const stack = new UndoStack();
    stack.push(entry('a', markers));
    stack.push(
      entry('b', markers, async () => {
        throw new Error('b refused');
      }),
    );
    stack.push(entry('c', markers));
    const outcomes = await stack.unwind();
    expect(markers).toEqual(['undo c null', 'undo b null', 'undo a null']);
    expect(outcomes.map((o) => `${o.id}:${o.status}:${o.error ?? ''}`)).toEqual([
      'c:done:',
      'b:failed:b refused',
      'a:done:',
    ]);
  });

  it('gives each undo a live signal and times out one that hangs, naming the setting', async () => {
    const markers: string[] = [];
    const signals: AbortSignal[] = [];
    const stack = new UndoStack();
    stack.push(entry('a', markers));
    // Ignores its signal entirely: the deadline must still end it.
    stack.push(
      entry('b', markers, async (signal) => {
        signals.push(signal);
        await new Promise(() => {});
      }),
    );
    const outcomes = await stack.unwind();
    expect(signals[0]?.aborted).toBe(true);
    expect(outcomes[0]?.error).toBe(
      'undo of "Step b" timed out after 50ms; raise it with `failover[b].timeout` in scenarios/x.ts',
    );
    expect(markers).toEqual(['undo b null', 'undo a null']);
  });

  it('refuses the same id twice', () => {
    const stack = new UndoStack();
    stack.push(entry('a', []));
    expect(() => stack.push(entry('a', []))).toThrow('undo "a" is already registered');
  });

  it('reports start and outcome hooks in order', async () => {
    const seen: string[] = [];
    const stack = new UndoStack();
    stack.push(entry('a', []));
    stack.push(entry('b', []));
    await stack.unwind({
      onStart: (e) => seen.push(`start ${e.id}`),
      onDone: (e, o) => seen.push(`done ${e.id} ${o.status}`),
    });
    expect(seen).toEqual(['start b', 'done b done', 'start a', 'done a done']);
  });
});
