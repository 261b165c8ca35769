import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleLog } from './console-log.ts';
import { guardStream } from './guard-stream.ts';

function attachedLog(): { log: ConsoleLog; text: () => string } {
  const file = join(mkdtempSync(join(tmpdir(), 'guard-stream-')), 'console.log');
  const log = new ConsoleLog();
  log.attach(file);
  return { log, text: () => readFileSync(file, 'utf8') };
}

const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

describe('guardStream', () => {
  it('a write that throws EPIPE is given up: the caller never sees it, the lines go on to the log', () => {
    const { log, text } = attachedLog();
    let calls = 0;
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.write = (() => {
      calls++;
      throw epipe();
    }) as typeof stream.write;
    const notes: string[] = [];
    guardStream(stream, { name: 'stdout', log, onLost: (note) => notes.push(note) });
    expect(stream.write('first\n')).toBe(true);
    expect(stream.write('second\n')).toBe(true);
    expect(calls).toBe(1);
    const note = `drill: stdout failed (EPIPE): the run goes on, its output only to ${log.path}`;
    expect(notes).toEqual([note]);
    expect(text()).toBe(`first\n${note}\nsecond\n`);
  });

  it('an EPIPE emitted by the stream (a pipe whose reader died) is no uncaught error; the callback gets no error', async () => {
    const { log, text } = attachedLog();
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _e, cb) {
        if (chunk.toString().startsWith('break')) return cb(epipe());
        written += chunk.toString();
        cb();
      },
    });
    guardStream(stream, { name: 'stdout', log });
    stream.write('before\n');
    const errors = await new Promise<(Error | null | undefined)[]>((resolve) => {
      const seen: (Error | null | undefined)[] = [];
      stream.write('break\n', (error) => {
        seen.push(error);
        setImmediate(() => resolve(seen));
      });
    });
    expect(errors).toEqual([undefined]);
    stream.write('after\n');
    expect(written).toBe('before\n');
    expect(text()).toContain('before\nbreak\ndrill: stdout failed (EPIPE)');
    expect(text()).toMatch(/after\n$/);
  });

  it('a full disk (a real ENOSPC from /dev/full) neither throws nor ends the output in the log', async () => {
    const { log, text } = attachedLog();
    const stream = createWriteStream('/dev/full');
    guardStream(stream, { name: 'stdout', log });
    await new Promise<void>((resolve) => stream.write('one\n', () => resolve()));
    stream.write('two\n');
    expect(text()).toBe(
      `one\ndrill: stdout failed (ENOSPC): the run goes on, its output only to ${log.path}\ntwo\n`,
    );
  });

  it('guarding a stream twice keeps the first guard (one copy of each line in the log)', () => {
    const { log, text } = attachedLog();
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    const first = guardStream(stream, { name: 'stdout', log });
    expect(guardStream(stream, { name: 'console', log })).toBe(first);
    stream.write('once\n');
    expect(text()).toBe('once\n');
  });
});
