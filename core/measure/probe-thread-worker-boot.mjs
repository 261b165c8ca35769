// Entry of a recovery probe's worker thread: module hooks are per thread, so TypeScript is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./probe-thread-worker.ts');
