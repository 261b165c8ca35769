// The measuring threads (a recovery probe's, the canary's) ask to run ahead of the workload beside them: an instant
// they stamp is only as good as how soon they run once the answer is in, and on a loaded machine a thread of normal
// priority waited up to a second for a core (fidelity bench, load average 23). Their work is a few requests a second.
// On Linux the nice value belongs to each thread: setPriority(0, …) sets the calling thread's (setpriority(2), NOTES).
import { setPriority } from 'node:os';

/** The nice value asked for: ahead of normal work (0), short of the most urgent (−20). */
export const MEASURING_THREAD_NICE = -10;

/** Raises this thread's priority; false without the privilege (CAP_SYS_NICE): its stalls then widen the intervals. */
export function raiseThisThread(): boolean {
  try {
    setPriority(0, MEASURING_THREAD_NICE);
    return true;
  } catch {
    return false;
  }
}
