// AWS FIS: find-or-create experiment templates (tag drill:template), idempotent starts (clientToken),
// waiters, check-before-act stop, and look-ups by tag so an undo after a crash can find what to stop.

import { createHash } from 'node:crypto';
import {
  CreateExperimentTemplateCommand,
  type CreateExperimentTemplateCommandInput,
  type Experiment,
  type FisClient,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import type { PlannedCall } from '../../core/model.ts';
import type { CallOptions } from '../abort.ts';
import { isClientError } from '../errors.ts';
import { pollUntil, type WaitOptions } from '../poll.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

export const TEMPLATE_TAG = 'drill:template';
export const RUN_ID_TAG = 'drill:run-id';
export const CLIENT_TOKEN_TAG = 'drill:client-token';
export const TERMINAL_EXPERIMENT_STATES: readonly string[] = ['completed', 'stopped', 'failed', 'cancelled'];

export interface ExperimentInfo {
  id: string;
  templateId: string;
  status: string;
  reason?: string;
  creationTime?: Date;
  startTime?: Date;
  endTime?: Date;
  tags: Record<string, string>;
  actions: Record<string, { actionId: string; status: string; reason?: string }>;
}

export type TemplateInput = Omit<CreateExperimentTemplateCommandInput, 'clientToken'> & {
  /** Logical name, stored as tag drill:template=<name>: the key of find-or-create. */
  name: string;
};

export interface StartInput {
  templateId: string;
  /** Idempotency key: the same token always yields the same experiment. Also stored as tag drill:client-token. */
  clientToken: string;
  tags?: Record<string, string>;
}

export function toExperimentInfo(e: Experiment): ExperimentInfo {
  return {
    id: e.id ?? '',
    templateId: e.experimentTemplateId ?? '',
    status: e.state?.status ?? 'unknown',
    ...(e.state?.reason ? { reason: e.state.reason } : {}),
    ...(e.creationTime ? { creationTime: e.creationTime } : {}),
    ...(e.startTime ? { startTime: e.startTime } : {}),
    ...(e.endTime ? { endTime: e.endTime } : {}),
    tags: e.tags ?? {},
    actions: Object.fromEntries(
      Object.entries(e.actions ?? {}).map(([name, a]) => [
        name,
        {
          actionId: a.actionId ?? '',
          status: a.state?.status ?? 'unknown',
          ...(a.state?.reason ? { reason: a.state.reason } : {}),
        },
      ]),
    ),
  };
}

/** A deterministic clientToken for a template definition: a retried create returns the same template. */
export function templateClientToken(input: TemplateInput): string {
  return `drill-tpl-${createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 40)}`;
}

export function planCreateExperimentTemplate(region: string, input: TemplateInput): PlannedCall {
  return {
    service: 'fis',
    operation: 'CreateExperimentTemplate',
    scope: region,
    params: {
      name: input.name,
      description: input.description ?? '',
      actions: Object.keys(input.actions ?? {}),
    },
    mutating: true,
  };
}

export function planStartExperiment(region: string, input: StartInput): PlannedCall {
  return {
    service: 'fis',
    operation: 'StartExperiment',
    scope: region,
    params: {
      experimentTemplateId: input.templateId,
      clientToken: input.clientToken,
      tags: startTags(input),
    },
    mutating: true,
  };
}

export function planStopExperiment(region: string, id: string): PlannedCall {
  return { service: 'fis', operation: 'StopExperiment', scope: region, params: { id }, mutating: true };
}

function startTags(input: StartInput): Record<string, string> {
  return { ...input.tags, [CLIENT_TOKEN_TAG]: input.clientToken };
}

export class Fis {
  readonly caller: AwsCaller;
  constructor(
    readonly client: FisClient,
    readonly region: string,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('fis', region, opts.audit, opts.retry);
  }

  /** Find-or-create by tag drill:template=<name>. */
  async createExperimentTemplate(
    input: TemplateInput,
    opts: CallOptions = {},
  ): Promise<{ id: string; created: boolean }> {
    const existing = await this.findTemplateByName(input.name, opts);
    if (existing) return { id: existing, created: false };
    const { name, ...rest } = input;
    return this.caller.mutate(planCreateExperimentTemplate(this.region, input), async () => {
      const out = await this.caller.send(
        'CreateExperimentTemplate',
        { kind: 'experiment template', id: name },
        (abortSignal) =>
          this.client.send(
            new CreateExperimentTemplateCommand({
              ...rest,
              clientToken: templateClientToken(input),
              tags: { ...rest.tags, [TEMPLATE_TAG]: name },
            }),
            { abortSignal },
          ),
        opts,
      );
      return { id: out.experimentTemplate?.id ?? '', created: true };
    });
  }

  async findTemplateByName(name: string, opts: CallOptions = {}): Promise<string | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.caller.send(
        'ListExperimentTemplates',
        undefined,
        (abortSignal) =>
          this.client.send(
            new ListExperimentTemplatesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
            {
              abortSignal,
            },
          ),
        opts,
      );
      const hit = page.experimentTemplates?.find((t) => t.tags?.[TEMPLATE_TAG] === name);
      if (hit?.id) return hit.id;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  /** Starts an experiment; retries reuse the clientToken, so AWS returns the same experiment. */
  async startExperiment(input: StartInput, opts: CallOptions = {}): Promise<ExperimentInfo> {
    return this.caller.mutate(planStartExperiment(this.region, input), async () => {
      const out = await this.caller.send(
        'StartExperiment',
        { kind: 'experiment template', id: input.templateId },
        (abortSignal) =>
          this.client.send(
            new StartExperimentCommand({
              experimentTemplateId: input.templateId,
              clientToken: input.clientToken,
              tags: startTags(input),
            }),
            { abortSignal },
          ),
        opts,
      );
      return toExperimentInfo(out.experiment ?? {});
    });
  }

  async getExperiment(id: string, opts: CallOptions = {}): Promise<ExperimentInfo> {
    const out = await this.caller.send(
      'GetExperiment',
      { kind: 'experiment', id },
      (abortSignal) => this.client.send(new GetExperimentCommand({ id }), { abortSignal }),
      opts,
    );
    return toExperimentInfo(out.experiment ?? { id });
  }

  /** Waits for one of `states`; stops early if the experiment ends in another terminal state. */
  waitForExperimentState(
    id: string,
    states: readonly string[],
    wait: WaitOptions = {},
  ): Promise<ExperimentInfo> {
    return pollUntil({
      site: this.caller.site('GetExperiment'),
      what: `experiment ${id} to be ${states.join(' or ')}`,
      timeoutMs: wait.timeoutMs ?? 300_000,
      intervalMs: wait.intervalMs ?? 2_000,
      ...(wait.maxIntervalMs ? { maxIntervalMs: wait.maxIntervalMs } : {}),
      ...(wait.signal ? { signal: wait.signal } : {}),
      check: async () => {
        const e = await this.getExperiment(id, { signal: wait.signal });
        if (states.includes(e.status)) return { done: true, value: e };
        const seen = `status ${e.status}${e.reason ? ` (${e.reason})` : ''}`;
        return { done: false, seen, failed: TERMINAL_EXPERIMENT_STATES.includes(e.status) };
      },
    });
  }

  /** Stops a running experiment; no-op if it already ended or is stopping. */
  async stopExperiment(
    id: string,
    opts: CallOptions = {},
  ): Promise<{ alreadyDone: boolean; experiment: ExperimentInfo }> {
    const current = await this.getExperiment(id, opts);
    if (current.status === 'stopping' || TERMINAL_EXPERIMENT_STATES.includes(current.status)) {
      return { alreadyDone: true, experiment: current };
    }
    return this.caller.mutate(planStopExperiment(this.region, id), async () => {
      try {
        const out = await this.caller.send(
          'StopExperiment',
          { kind: 'experiment', id },
          (abortSignal) => this.client.send(new StopExperimentCommand({ id }), { abortSignal }),
          opts,
        );
        return { alreadyDone: false, experiment: toExperimentInfo(out.experiment ?? { id }) };
      } catch (err) {
        // It may have ended between our read and the stop: that is success, not an error.
        if (!isClientError(err) || !['E_CONFLICT', 'E_BAD_REQUEST'].includes(err.code)) throw err;
        const now = await this.getExperiment(id, opts);
        if (now.status === 'stopping' || TERMINAL_EXPERIMENT_STATES.includes(now.status)) {
          return { alreadyDone: true, experiment: now };
        }
        throw err;
      }
    });
  }

  async listResolvedTargets(
    id: string,
    opts: CallOptions = {},
  ): Promise<{ resourceType: string; targetName: string; targetInformation: Record<string, string> }[]> {
    const targets: { resourceType: string; targetName: string; targetInformation: Record<string, string> }[] =
      [];
    let nextToken: string | undefined;
    do {
      const page = await this.caller.send(
        'ListExperimentResolvedTargets',
        { kind: 'experiment', id },
        (abortSignal) =>
          this.client.send(
            new ListExperimentResolvedTargetsCommand({
              experimentId: id,
              ...(nextToken ? { nextToken } : {}),
            }),
            {
              abortSignal,
            },
          ),
        opts,
      );
      for (const t of page.resolvedTargets ?? []) {
        targets.push({
          resourceType: t.resourceType ?? '',
          targetName: t.targetName ?? '',
          targetInformation: t.targetInformation ?? {},
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return targets;
  }

  /** Experiments carrying tag key=value, newest first (ListExperiments, all pages). */
  async findExperimentsByTag(key: string, value: string, opts: CallOptions = {}): Promise<ExperimentInfo[]> {
    const found: ExperimentInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.caller.send(
        'ListExperiments',
        undefined,
        (abortSignal) =>
          this.client.send(
            new ListExperimentsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
            { abortSignal },
          ),
        opts,
      );
      for (const e of page.experiments ?? []) if (e.tags?.[key] === value) found.push(toExperimentInfo(e));
      nextToken = page.nextToken;
    } while (nextToken);
    return found.sort((a, b) => (b.creationTime?.getTime() ?? 0) - (a.creationTime?.getTime() ?? 0));
  }

  async findExperimentByClientToken(
    clientToken: string,
    opts: CallOptions = {},
  ): Promise<ExperimentInfo | undefined> {
    return (await this.findExperimentsByTag(CLIENT_TOKEN_TAG, clientToken, opts))[0];
  }

  findExperimentsByRunId(runId: string, opts: CallOptions = {}): Promise<ExperimentInfo[]> {
    return this.findExperimentsByTag(RUN_ID_TAG, runId, opts);
  }
}
