import { afterAll } from 'vitest';
import { closeProbes } from '../probes/index.ts';
import { describeDrill } from './harness.ts';

// The shared browser and the HTTP pool outlive a run unless closed.
afterAll(closeProbes);

await describeDrill('api-crashloop');
