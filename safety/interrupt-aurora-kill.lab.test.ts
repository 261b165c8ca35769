// Issue #6: kill -9 at every phase of aurora-outage on the lab, then `pnpm drill rollback <run-id>`
// (with --restore when the failover was kept). The SIGINT half is interrupt-aurora.lab.test.ts.
import { interruptSuite } from './testing/interrupt-suite.ts';

interruptSuite('SIGKILL');
