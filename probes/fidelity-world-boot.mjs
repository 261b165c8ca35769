// Entry of the fidelity harness's world thread: module hooks are per thread, so TypeScript is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./fidelity-world.ts');
