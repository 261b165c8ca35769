import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import lab from '../../apps/luneo/targets/lab.ts';
import prod from '../../apps/luneo/targets/prod.ts';
import { validateTarget } from '../validate/index.ts';
import { autoConfirmOf, setAutoConfirm } from './auto-confirm.ts';

const runDir = () => mkdtempSync(join(tmpdir(), 'auto-confirm-'));

describe('auto-confirm of manual checkpoints', () => {
  it('is on for the lab target and off for the live one, by their kind', () => {
    expect(autoConfirmOf(runDir(), lab)).toEqual({
      auto: true,
      by: 'target lab (a lab target: nobody to ask)',
    });
    expect(autoConfirmOf(runDir(), prod).auto).toBe(false);
  });

  it("the target's setting overrides its kind, and the command line overrides both", () => {
    expect(autoConfirmOf(runDir(), { ...prod, autoConfirm: true })).toEqual({
      auto: true,
      by: 'target prod (autoConfirm: true)',
    });
    const dir = runDir();
    setAutoConfirm(dir, false);
    expect(autoConfirmOf(dir, { ...lab, autoConfirm: true })).toEqual({
      auto: false,
      by: '--no-auto-confirm',
    });
    const ci = runDir();
    setAutoConfirm(ci, true);
    expect(autoConfirmOf(ci, prod)).toEqual({ auto: true, by: '--auto-confirm' });
  });

  it('a target file may set it, as true or false only', () => {
    expect(validateTarget({ ...lab, autoConfirm: false }, 'targets/lab.ts')).toEqual([]);
    expect(validateTarget({ ...lab, autoConfirm: 'yes' }, 'targets/lab.ts').map((p) => p.message)).toEqual([
      'expected true or false, got "yes"',
    ]);
  });
});
