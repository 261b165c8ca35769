// Entry of the canary's worker thread: module hooks are per thread, so TypeScript is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./canary-worker.ts');
