// The public API of drill: what a team's own scenarios and targets import (`import { defineScenario } from 'drill'`),
// resolved through package.json "exports". docs/authoring.md walks through a new app with it.
export * as aws from './actions/aws/index.ts';
export {
  type DeclaredFault,
  type DeclaredProbe,
  type DeclaredStep,
  declaredFault,
  declaredProbe,
  declaredStep,
} from './actions/declared.ts';
export * as kube from './actions/kube/index.ts';
export { manualCheckpoint } from './actions/manual.ts';
export type { Select } from './actions/select.ts';
export { abortOnSignals } from './core/cli/worker-interrupt.ts';
export { DurationError, formatDuration, parseDuration } from './core/duration.ts';
export { type LoadedDrill, loadDrill } from './core/load-drill.ts';
export type {
  Attachment,
  AuditLog,
  BackgroundActivity,
  Clock,
  Duration,
  FaultDefinition,
  JsonValue,
  LedgerWrite,
  Logger,
  Objectives,
  Phase,
  PlannedCall,
  ProbeDefinition,
  ProbeOutcome,
  RunbookFinding,
  RunbookRef,
  RunContext,
  Scenario,
  StepDefinition,
  StepOutcome,
  Target,
  Verdict,
  WriteLedger,
} from './core/model.ts';
export { defineFault, defineProbe, defineScenario, defineStep, defineTarget } from './core/model.ts';
export { registerSecret } from './core/redact.ts';
export {
  type Coverage,
  type CoverageEntry,
  defineCoverage,
  type ProbeRef,
  refs,
  type StepRef,
} from './core/runbook-coverage.ts';
export {
  type HealthExpectation,
  type HealthOptions,
  health,
  type VersionOptions,
  version,
} from './probes/health.ts';
export type { FromContext } from './probes/resolve.ts';
