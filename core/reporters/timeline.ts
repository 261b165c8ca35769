// Collects phase and step events into a tree with real start/stop times (for Allure and other reports).
import type { EventOf } from '../events.ts';
import type { Phase } from '../model.ts';
import type { Reporter } from './reporter.ts';

export type TimelineStatus = 'passed' | 'failed' | 'broken' | 'skipped';

export interface TimelineNode {
  name: string;
  /** Epoch ms. */
  start: number;
  stop: number;
  status: TimelineStatus;
  detail?: string;
  children: TimelineNode[];
}

const STEP_STATUS: Record<EventOf<'step-end'>['status'], TimelineStatus> = {
  ok: 'passed',
  failed: 'failed',
  deviation: 'broken',
  aborted: 'broken',
  skipped: 'skipped',
};

export class TimelineReporter implements Reporter {
  readonly phases: TimelineNode[] = [];
  #phase: TimelineNode | undefined;
  #steps = new Map<string, TimelineNode>();

  onPhaseStart(e: EventOf<'phase-start'>): void {
    this.#phase = {
      name: phaseTitle(e.phase),
      start: e.wallMs,
      stop: e.wallMs,
      status: 'passed',
      children: [],
    };
    this.phases.push(this.#phase);
  }

  onPhaseEnd(e: EventOf<'phase-end'>): void {
    if (!this.#phase) return;
    this.#phase.stop = e.wallMs;
    this.#phase.status =
      e.status === 'ok'
        ? 'passed'
        : e.status === 'failed'
          ? 'failed'
          : e.status === 'aborted'
            ? 'broken'
            : 'skipped';
    if (e.detail) this.#phase.detail = e.detail;
  }

  onStepStart(e: EventOf<'step-start'>): void {
    const node: TimelineNode = {
      name: `${e.runbook ? `${e.runbook} ` : ''}${e.title}`,
      start: e.wallMs,
      stop: e.wallMs,
      status: 'passed',
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
    if (e.lateByMs) node.name += ` (late by ${e.lateByMs}ms)`;
  }

  onUndo(e: EventOf<'undo'>): void {
    this.#phase?.children.push({
      name: `undo: ${e.title}`,
      start: e.wallMs - e.durationMs,
      stop: e.wallMs,
      status: e.status === 'done' ? 'passed' : e.status === 'failed' ? 'failed' : 'skipped',
      ...(e.error ? { detail: e.error } : {}),
      children: [],
    });
  }
}

function phaseTitle(phase: Phase): string {
  return `phase: ${phase}`;
}
