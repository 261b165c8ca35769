// Whether a run's manual checkpoints confirm themselves (recorded via: auto): the command line's --auto-confirm or
// --no-auto-confirm, written here by the CLI before the run starts (the engine may run in another process), else
// the target's autoConfirm setting, else its kind: the lab confirms at once, a live target waits for a person.
import { join } from 'node:path';
import type { Target } from '../model.ts';
import { controlDir, readRecord, writeWhole } from './files.ts';

const AUTO_CONFIRM_FILE = 'auto-confirm.json';

export interface AutoConfirm {
  auto: boolean;
  /** Why, as recorded in the confirmation's `by`, e.g. "--auto-confirm" or "target lab (a lab target)". */
  by: string;
}

export function setAutoConfirm(runDir: string, auto: boolean): void {
  writeWhole(join(controlDir(runDir), AUTO_CONFIRM_FILE), {
    auto,
    by: auto ? '--auto-confirm' : '--no-auto-confirm',
  } satisfies AutoConfirm);
}

export function autoConfirmOf(
  runDir: string,
  target: Pick<Target<unknown>, 'name' | 'kind' | 'autoConfirm'>,
): AutoConfirm {
  const chosen = readRecord<AutoConfirm>(join(controlDir(runDir), AUTO_CONFIRM_FILE));
  if (chosen) return chosen;
  if (target.autoConfirm !== undefined) {
    return { auto: target.autoConfirm, by: `target ${target.name} (autoConfirm: ${target.autoConfirm})` };
  }
  return {
    auto: target.kind === 'lab',
    by: `target ${target.name} (${target.kind === 'lab' ? 'a lab target: nobody to ask' : 'live'})`,
  };
}
