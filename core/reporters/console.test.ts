import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EventOf } from '../events.ts';
import { ConsoleLog } from '../output/console-log.ts';
import { ConsoleReporter } from './console.ts';

const base = { at: 0, wallMs: Date.now() };
const log = (message: string): EventOf<'log'> => ({ ...base, kind: 'log', level: 'info', message });

describe('ConsoleReporter on a stream that breaks', () => {
  it('a write throwing EPIPE does not throw out of the reporter; its lines go on to the log file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'console-reporter-')), 'console.log');
    const consoleLog = new ConsoleLog();
    consoleLog.attach(file);
    let broken = false;
    let shown = '';
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.write = ((chunk: string) => {
      if (broken) throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      shown += chunk;
      return true;
    }) as typeof stream.write;
    const reporter = new ConsoleReporter({ stream, live: false, log: consoleLog });
    reporter.onLog(log('rolling back'));
    broken = true;
    expect(() => reporter.onLog(log('undo: fault reverted'))).not.toThrow();
    expect(() => reporter.onPhaseStart({ ...base, kind: 'phase-start', phase: 'restore' })).not.toThrow();
    expect(shown).toBe('rolling back\n');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual([
      'rolling back',
      'undo: fault reverted',
      `drill: console failed (EPIPE): the run goes on, its output only to ${file}`,
      '▶ restore',
      '',
    ]);
  });
});
