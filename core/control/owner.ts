// Which process runs a drill: `pnpm drill` writes its pid when the run starts, so `pnpm drill halt` can tell a running
// drill from one whose command is gone (killed: `pnpm drill rollback` is its way out, not a halt).
import { join } from 'node:path';
import { isProcessAlive } from '../process-alive.ts';
import { controlDir, readRecord, writeWhole } from './files.ts';

const OWNER_FILE = 'owner.json';

export interface RunOwner {
  pid: number;
  runId: string;
  startedAt: string;
}

export function claimRun(runDir: string, runId: string): void {
  writeWhole(join(controlDir(runDir), OWNER_FILE), {
    pid: process.pid,
    runId,
    startedAt: new Date().toISOString(),
  } satisfies RunOwner);
}

export function runOwner(runDir: string): RunOwner | undefined {
  try {
    return readRecord<RunOwner>(join(controlDir(runDir), OWNER_FILE));
  } catch {
    return undefined;
  }
}

/** The command that started the run is still there. */
export function ownerAlive(runDir: string): boolean {
  const owner = runOwner(runDir);
  return owner !== undefined && isProcessAlive(owner.pid);
}
