import { describeDrill } from './harness.ts';

await describeDrill('region-outage');
