// The control channel's files under <runDir>/control/: written whole (tmp + rename/link), read by any process.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export const CONTROL_DIR = 'control';
export const HALT_FILE = 'halt.json';
export const CONFIRMATIONS_DIR = 'checkpoints';
export const PENDING_DIR = 'pending';

export const controlDir = (runDir: string) => join(runDir, CONTROL_DIR);
export const haltFile = (runDir: string) => join(controlDir(runDir), HALT_FILE);
export const confirmationsDir = (runDir: string) => join(controlDir(runDir), CONFIRMATIONS_DIR);
export const pendingDir = (runDir: string) => join(controlDir(runDir), PENDING_DIR);

/** A step id as a file name: ids are slugs already, but a file name must never leave its folder. */
export const recordName = (stepId: string) => `${encodeURIComponent(stepId)}.json`;

function writeTmp(path: string, content: string): string {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `value` unless the file exists: link() is atomic and exclusive, so of racing writers exactly one wins. */
export function createOnce(path: string, value: unknown): boolean {
  const tmp = writeTmp(path, `${JSON.stringify(value)}\n`);
  try {
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
  syncDir(dirname(path));
  return true;
}

/** Replaces the file whole: readers see the old or the new content, never half. */
export function writeWhole(path: string, value: unknown): void {
  const tmp = writeTmp(path, `${JSON.stringify(value)}\n`);
  renameSync(tmp, path);
  syncDir(dirname(path));
}

/** The parsed file, or undefined when it does not exist (yet). */
export function readRecord<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}

export function removeRecord(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
