// One FIS experiment: pending → initiating → running → completed | stopping → stopped | failed.
// Actions start in startAfter order, last their duration, and what they injected is reverted at their end,
// on stop, or on failure, as FIS does.
import type { AwsLabBackend, LabResource, LabRevert } from '../backend.ts';
import type { ActionSpecInput } from './action-spec.ts';
import { parseIsoDuration } from './catalogue.ts';
import { quotaBreach, type TargetQuota } from './quotas.ts';
import { resolveTarget, type TargetSpec } from './targets.ts';

export type ExperimentStatus =
  | 'pending'
  | 'initiating'
  | 'running'
  | 'completed'
  | 'stopping'
  | 'stopped'
  | 'failed';
export type ActionStatus =
  | 'pending'
  | 'initiating'
  | 'running'
  | 'completed'
  | 'cancelled'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'skipped';

export interface TemplateSnapshot {
  id: string;
  roleArn: string;
  targets: Record<string, TargetSpec>;
  actions: Record<string, ActionSpecInput>;
  stopConditions: { source: string; value?: string }[];
  experimentOptions: { accountTargeting: string; emptyTargetResolutionMode: string };
  logConfiguration?: unknown;
}

interface ActionRun {
  spec: ActionSpecInput;
  status: ActionStatus;
  reason?: string;
  startTime?: Date;
  endTime?: Date;
}

const TERMINAL: ExperimentStatus[] = ['completed', 'stopped', 'failed'];

export class Experiment {
  readonly id: string;
  readonly arn: string;
  readonly template: TemplateSnapshot;
  readonly tags: Record<string, string>;
  readonly actionsMode: string;
  readonly creationTime = new Date();
  startTime: Date | undefined;
  endTime: Date | undefined;
  status: ExperimentStatus = 'pending';
  reason: string | undefined;
  /** ExperimentState.error of a failed experiment (FIS API: code, location). */
  error: { code: string; location?: string } | undefined;
  readonly actions: Record<string, ActionRun>;
  readonly resolved: Record<string, LabResource[]> = {};
  /** Injected faults not yet reverted, in injection order. */
  private readonly active: { action: string; revert: LabRevert }[] = [];
  private readonly abort = new AbortController();
  private readonly backend: AwsLabBackend;
  private readonly quotas: Record<string, TargetQuota> | undefined;
  private readonly log: (line: string) => void;
  /** Resolves when the experiment reaches a terminal state. */
  readonly done: Promise<void>;
  private finish: () => void = () => {};

  constructor(opts: {
    id: string;
    arn: string;
    template: TemplateSnapshot;
    tags: Record<string, string>;
    actionsMode: string;
    backend: AwsLabBackend;
    log: (line: string) => void;
    /** The target quotas applied in the experiment's region (Service Quotas); absent: the defaults. */
    quotas?: Record<string, TargetQuota>;
  }) {
    this.quotas = opts.quotas;
    this.id = opts.id;
    this.arn = opts.arn;
    this.template = opts.template;
    this.tags = opts.tags;
    this.actionsMode = opts.actionsMode;
    this.backend = opts.backend;
    this.log = opts.log;
    this.actions = Object.fromEntries(
      Object.entries(opts.template.actions).map(([name, spec]) => [name, { spec, status: 'pending' }]),
    );
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  get terminal(): boolean {
    return TERMINAL.includes(this.status);
  }

  get stopConditionAlarms(): string[] {
    return this.template.stopConditions
      .filter((c) => c.source === 'aws:cloudwatch:alarm' && c.value)
      .map((c) => c.value as string);
  }

  /** Run to the end in the background. */
  start(): void {
    this.status = 'initiating';
    this.startTime = new Date();
    // Next turn of the event loop, so StartExperiment answers 'initiating' as FIS does.
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    try {
      for (const [name, spec] of Object.entries(this.template.targets)) {
        this.resolved[name] = resolveTarget(name, spec, this.backend.resources());
      }
    } catch (error) {
      this.error = { code: 'InvalidTarget' };
      await this.end('failed', `Target resolution failed: ${(error as Error).message}`);
      return;
    }
    if (this.terminal || this.status === 'stopping') return;
    const breach = quotaBreach(this.template.actions, this.template.targets, this.resolved, this.quotas);
    if (breach) {
      const { quota, count, location } = breach;
      this.error = { code: 'QuotaExceededFailure', location };
      await this.end(
        'failed',
        `The targets resolved to ${count} resources, more than the quota "${quota.name}" (${quota.value}, Service Quotas code ${quota.code}) allows.`,
      );
      return;
    }
    this.status = 'running';
    this.log(`fis: experiment ${this.id} running`);
    this.launchReady();
  }

  /** Start every pending action whose startAfter actions are all completed or skipped. */
  private launchReady(): void {
    if (this.status !== 'running') return;
    const finished = (s: ActionStatus) => s === 'completed' || s === 'skipped';
    for (const [name, run] of Object.entries(this.actions)) {
      if (run.status !== 'pending') continue;
      if ((run.spec.startAfter ?? []).every((after) => finished(this.actions[after]?.status ?? 'pending'))) {
        void this.runAction(name, run);
      }
    }
    if (Object.values(this.actions).every((run) => finished(run.status)))
      void this.end('completed', 'Experiment completed.');
  }

  private async runAction(name: string, run: ActionRun): Promise<void> {
    run.status = 'initiating';
    run.startTime = new Date();
    const targets = Object.values(run.spec.targets ?? {}).flatMap((target) => this.resolved[target] ?? []);
    const emptyTarget = Object.values(run.spec.targets ?? {}).find(
      (target) => (this.resolved[target] ?? []).length === 0,
    );
    if (this.actionsMode === 'skip-all' || emptyTarget !== undefined) {
      if (emptyTarget !== undefined && this.template.experimentOptions.emptyTargetResolutionMode !== 'skip') {
        run.status = 'failed';
        run.reason = `Target ${emptyTarget} resolved to no resources.`;
        await this.end('failed', `Action ${name} failed: ${run.reason}`);
        return;
      }
      run.status = 'skipped';
      run.reason =
        this.actionsMode === 'skip-all'
          ? 'actionsMode is skip-all.'
          : `Target ${emptyTarget} resolved to no resources.`;
      run.endTime = new Date();
      this.launchReady();
      return;
    }
    const parameters = run.spec.parameters ?? {};
    const durationMs = parameters.duration ? (parseIsoDuration(parameters.duration) ?? 0) : undefined;
    try {
      if (run.spec.actionId !== 'aws:fis:wait') {
        const revert = await this.backend.injectFault({ actionId: run.spec.actionId, parameters, targets });
        if (this.status !== 'running') {
          await revert();
          return;
        }
        if (durationMs !== undefined) this.active.push({ action: name, revert });
      }
      run.status = 'running';
      this.log(
        `fis: experiment ${this.id} action ${name} (${run.spec.actionId}) injected on ${targets.length} target(s)`,
      );
      if (durationMs !== undefined) await sleep(durationMs, this.abort.signal);
      if (this.status !== 'running') return;
      const index = this.active.findIndex((a) => a.action === name);
      if (index !== -1) await (this.active.splice(index, 1)[0] as { revert: LabRevert }).revert();
      run.status = 'completed';
      run.endTime = new Date();
      this.launchReady();
    } catch (error) {
      if (this.status !== 'running') return;
      run.status = 'failed';
      run.reason = (error as Error).message;
      run.endTime = new Date();
      await this.end('failed', `Action ${name} (${run.spec.actionId}) failed: ${run.reason}`);
    }
  }

  /** StopExperiment, a stop condition, or a failure: revert what is injected (newest first), then settle. */
  async end(status: 'completed' | 'stopped' | 'failed', reason: string): Promise<void> {
    if (this.terminal || this.status === 'stopping') return;
    const wasRunning = status !== 'completed';
    if (wasRunning) this.status = 'stopping';
    this.reason = reason;
    this.abort.abort();
    for (const run of Object.values(this.actions)) {
      if (run.status === 'pending') run.status = 'cancelled';
      if (run.status === 'running' || run.status === 'initiating') {
        run.status = 'stopped';
        run.endTime = new Date();
      }
    }
    const reverts = this.active.splice(0).reverse();
    for (const { action, revert } of reverts) {
      try {
        await revert();
      } catch (error) {
        this.log(`fis: experiment ${this.id} could not revert ${action}: ${(error as Error).message}`);
      }
    }
    this.status = status;
    this.endTime = new Date();
    this.log(`fis: experiment ${this.id} ${status}: ${reason}`);
    this.finish();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
