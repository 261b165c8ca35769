import { describeDrill } from './harness.ts';

await describeDrill('aurora-outage');
