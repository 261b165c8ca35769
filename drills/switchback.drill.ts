import { describeDrill } from './harness.ts';

await describeDrill('switchback');
