// Issue #6: Ctrl-C (SIGINT) at every phase of aurora-outage on the lab; the drill rolls back itself.
// The SIGKILL + `drill rollback` half runs beside it in interrupt-aurora-kill.lab.test.ts (its own lab).
import { interruptSuite } from './testing/interrupt-suite.ts';

interruptSuite('SIGINT');
