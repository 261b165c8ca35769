import { describeDrill } from './harness.ts';

await describeDrill('self-test');
