// Probes: what users see (health, version, smoke, order, render), the canary ledger behind the achieved RPO,
// continuous availability behind the RTO, and background load.
export { attachSamples, samplesCsv } from './attach.ts';
export {
  AVAILABILITY_INTERVAL,
  AVAILABILITY_TIMEOUT,
  type AvailabilityOptions,
  type AvailabilityReport,
  availability,
  availabilityReport,
} from './availability.ts';
export { closeSmokeBrowser, findBrowser, INSTALL_HINT } from './browser.ts';
export { CANARY_INTERVAL, type CanaryLedger, type CanaryOptions, canary, ledgerCsv } from './canary.ts';
export {
  type HealthExpectation,
  type HealthOptions,
  health,
  type VersionOptions,
  version,
} from './health.ts';
export { closeProbeAgent } from './http.ts';
export { findOnPath, foldK6Summary, type K6Options, k6Load, NO_K6_NOTE } from './k6.ts';
export { type LoadOptions, load } from './load.ts';
export { LoadGenerator, type LoadSettings, type LoadSummary } from './load-generator.ts';
export { type OrderOptions, order } from './order.ts';
export { ProbeFailure } from './outcome.ts';
export { checkPng, type PngInfo } from './png.ts';
export { type RenderOptions, render } from './render.ts';
export type { FromContext } from './resolve.ts';
export { type SmokeOptions, smoke } from './smoke.ts';

import { closeSmokeBrowser } from './browser.ts';
import { closeProbeAgent } from './http.ts';

/** Releases what probes keep between samples (the HTTP pool, the shared browser): call once at the end of a run. */
export async function closeProbes(): Promise<void> {
  await Promise.all([closeProbeAgent(), closeSmokeBrowser()]);
}
