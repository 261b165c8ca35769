// The lab target's preparation: use the lab that is up in its directory, or start an ephemeral one
// (a background daemon, so a killed drill can still be rolled back) and stop it when the run is over.
import { resolve } from 'node:path';
import { runningLab, startDaemon, stopDaemon } from '../lab/platform/daemon-control.ts';

export async function prepareLab(
  dirOption: string,
  log: (line: string) => void,
): Promise<(() => Promise<void>) | undefined> {
  const dir = resolve(dirOption);
  const running = await runningLab(dir);
  if (running) {
    log(`lab: using the lab already up in ${dir} (pid ${running.pid})`);
    return undefined;
  }
  log(`lab: none up in ${dir}; starting an ephemeral lab (stopped after the drill)`);
  const info = await startDaemon(dir);
  log(`lab: up in ${(info.bootMs / 1000).toFixed(1)} s, public URL ${info.publicUrl}`);
  return async () => {
    await stopDaemon(dir);
    log(`lab: ephemeral lab in ${dir} stopped`);
  };
}
