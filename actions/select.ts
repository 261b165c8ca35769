// How a generic action takes its resources: selectors, functions of the app's own resources, so one step serves
// every app (Luneo's `(r) => r.secondary.region`, another app's `(r) => r.dr.region`).
import type { StepDefinition } from '../core/model.ts';

/** One value out of an app's resources. */
export type Select<R, T> = (r: R) => T;

/** What the app says of a generic step: its id, title, runbook line, deadline, findings, irreversibility. */
export type StepMeta<R> = Omit<StepDefinition<R>, 'plan' | 'run' | 'undo'>;
