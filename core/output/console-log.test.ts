import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleLog, plainLine } from './console-log.ts';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'console-log-')), 'runs', 'r1', 'console.log');

describe('ConsoleLog', () => {
  it('writes what was printed before the run directory was known first, then every line as it comes', () => {
    const log = new ConsoleLog();
    log.append('validating\n');
    const file = tempFile();
    log.attach(file);
    log.append('▶ inject\nhalf a ');
    expect(readFileSync(file, 'utf8')).toBe('validating\n▶ inject\n');
    log.append(Buffer.from('line\n'));
    expect(readFileSync(file, 'utf8')).toBe('validating\n▶ inject\nhalf a line\n');
  });

  it('keeps the lines a live status line was redrawn over, without the status line or escape codes', () => {
    expect(plainLine('\r\x1b[K⏵ failover · T0+3s\r\x1b[K✔ step ok')).toBe('✔ step ok');
    expect(plainLine('crlf line\r')).toBe('crlf line');
    const log = new ConsoleLog();
    const file = tempFile();
    log.attach(file);
    log.append('\r\x1b[K⏵ failover · T0+3s');
    log.append('\r\x1b[K✔ promoted\n\r\x1b[K⏵ failover');
    log.flush();
    expect(readFileSync(file, 'utf8')).toBe('✔ promoted\n⏵ failover\n');
  });

  it('a full disk stops the log, not the caller', () => {
    const log = new ConsoleLog();
    log.attach('/dev/full');
    expect(() => log.append('a line\n')).not.toThrow();
    expect(log.failure).toBe('/dev/full: ENOSPC');
    expect(() => log.append('another\n')).not.toThrow();
  });
});
