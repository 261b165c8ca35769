import { describeDrill } from './harness.ts';

await describeDrill('api-pod-kill');
