// Collects a run's events into the tree Allure shows: each phase a step, inside it the runbook steps, the
// steady-state and verification probes and the undos, each with its real start and stop and its parameters.
import { formatDuration } from '../../core/duration.ts';
import type { EventOf } from '../../core/events.ts';
import type { Reporter } from '../../core/reporters/reporter.ts';

export type AllureNodeStatus = 'passed' | 'failed' | 'broken' | 'skipped';

export interface AllureNode {
  name: string;
  /** Epoch ms. */
  start: number;
  stop: number;
  status: AllureNodeStatus;
  detail?: string;
  parameters: { name: string; value: string }[];
  children: AllureNode[];
}

const STEP_STATUS: Record<EventOf<'step-end'>['status'], AllureNodeStatus> = {
  ok: 'passed',
  failed: 'failed',
  deviation: 'broken',
  aborted: 'broken',
  skipped: 'skipped',
};
const PHASE_STATUS: Record<EventOf<'phase-end'>['status'], AllureNodeStatus> = {
  ok: 'passed',
  failed: 'failed',
  aborted: 'broken',
  skipped: 'skipped',
};

export class AllureTimeline implements Reporter {
  readonly phases: AllureNode[] = [];
  #phase: AllureNode | undefined;
  #steps = new Map<string, AllureNode>();

  onPhaseStart(e: EventOf<'phase-start'>): void {
    this.#phase = {
      name: `phase: ${e.phase}`,
      start: e.wallMs,
      stop: e.wallMs,
      status: 'passed',
      parameters: e.sinceT0Ms === undefined ? [] : [{ name: 'since T0', value: formatDuration(e.sinceT0Ms) }],
      children: [],
    };
    this.phases.push(this.#phase);
  }

  onPhaseEnd(e: EventOf<'phase-end'>): void {
    if (!this.#phase) return;
    this.#phase.stop = e.wallMs;
    this.#phase.status = PHASE_STATUS[e.status];
    if (e.detail) this.#phase.detail = e.detail;
  }

  onStepStart(e: EventOf<'step-start'>): void {
    const node: AllureNode = {
      name: `${e.runbook ? `${e.runbook} ` : ''}${e.title}`,
      start: e.wallMs,
      stop: e.wallMs,
      status: 'passed',
      parameters: [
        ...(e.runbook ? [{ name: 'runbook', value: e.runbook }] : []),
        ...(e.plannedAtMs === undefined
          ? []
          : [{ name: 'planned by (§13)', value: `T0+${formatDuration(e.plannedAtMs)}` }]),
      ],
      children: [],
    };
    this.#steps.set(`${e.phase}:${e.stepId}`, node);
    this.#phase?.children.push(node);
  }

  onStepEnd(e: EventOf<'step-end'>): void {
    const node = this.#steps.get(`${e.phase}:${e.stepId}`);
    if (!node) return;
    node.stop = e.wallMs;
    node.status = STEP_STATUS[e.status];
    const detail = e.error ?? e.detail;
    if (detail) node.detail = detail;
    if (e.sinceT0Ms !== undefined)
      node.parameters.push({ name: 'done at', value: `T0+${formatDuration(e.sinceT0Ms)}` });
    if (e.lateByMs) node.parameters.push({ name: 'late by', value: formatDuration(e.lateByMs) });
  }

  /** Steady-state and verification checks are steps; recovery samples (hundreds) are an attachment instead. */
  onProbeSample(e: EventOf<'probe-sample'>): void {
    // Recovery samples are emitted in whatever phase is current (from T0 on): only these two phases check once.
    if ((e.phase !== 'preflight' && e.phase !== 'verify') || !this.#phase) return;
    const latency = e.latencyMs ?? 0;
    this.#phase.children.push({
      name: `probe ${e.probe}`,
      start: e.wallMs - latency,
      stop: e.wallMs,
      status: e.ok ? 'passed' : 'failed',
      ...(e.detail ? { detail: e.detail } : {}),
      parameters: [{ name: 'latency', value: formatDuration(latency) }],
      children: [],
    });
  }

  onUndo(e: EventOf<'undo'>): void {
    this.#phase?.children.push({
      name: `undo: ${e.title}`,
      start: e.wallMs - e.durationMs,
      stop: e.wallMs,
      status: e.status === 'done' ? 'passed' : e.status === 'failed' ? 'failed' : 'skipped',
      ...(e.error || e.note ? { detail: e.error ?? e.note } : {}),
      parameters: [],
      children: [],
    });
  }
}
