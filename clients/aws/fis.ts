// AWS FIS: find-or-create experiment templates (tag drill:template), idempotent starts (clientToken),
// waiters, check-before-act stop, and look-ups by tag so an undo after a crash can find what to stop.

import {
  CreateExperimentTemplateCommand,
  type FisClient,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { type CallOptions, sleep } from '../abort.ts';
import { isClientError } from '../errors.ts';
import { pollUntil, type WaitOptions } from '../poll.ts';
import { backoffDelay } from '../retry.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

import {
  CLIENT_TOKEN_TAG,
  type ExperimentInfo,
  planCreateExperimentTemplate,
  planStartExperiment,
  planStopExperiment,
  RUN_ID_TAG,
  type StartInput,
  startTags,
  TEMPLATE_TAG,
  TERMINAL_EXPERIMENT_STATES,
  type TemplateInput,
  templateClientToken,
  toExperimentInfo,
} from './fis-model.ts';

export * from './fis-model.ts';

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
        (abortSignal) => {
          const command = new StartExperimentCommand({
            experimentTemplateId: input.templateId,
            clientToken: input.clientToken,
            tags: startTags(input),
          });
          if (input.actionsMode) withActionsMode(command, input.actionsMode);
          return this.client.send(command, { abortSignal });
        },
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
    return this.pollExperiment(id, `experiment ${id} to be ${states.join(' or ')}`, wait, (e) => ({
      value: states.includes(e.status) ? e : undefined,
      seen: `status ${e.status}${e.reason ? ` (${e.reason})` : ''}`,
    }));
  }

  /** When `action` of the experiment started (its startTime, set once FIS begins the action). */
  waitForActionStart(id: string, action: string, wait: WaitOptions = {}): Promise<Date> {
    return this.pollExperiment(id, `action ${action} of experiment ${id} to start`, wait, (e) => ({
      value: e.actions[action]?.startTime,
      seen: `experiment ${e.status}, action ${e.actions[action]?.status ?? 'absent'}`,
    }));
  }

  /** Reads the experiment until `pick` finds its value; stops early once the experiment ended without it. */
  private pollExperiment<T>(
    id: string,
    what: string,
    wait: WaitOptions,
    pick: (e: ExperimentInfo) => { value: T | undefined; seen: string },
  ): Promise<T> {
    return pollUntil({
      site: this.caller.site('GetExperiment'),
      what,
      timeoutMs: wait.timeoutMs ?? 300_000,
      intervalMs: wait.intervalMs ?? 2_000,
      ...(wait.maxIntervalMs ? { maxIntervalMs: wait.maxIntervalMs } : {}),
      ...(wait.signal ? { signal: wait.signal } : {}),
      check: async () => {
        const e = await this.getExperiment(id, { signal: wait.signal });
        const { value, seen } = pick(e);
        if (value !== undefined) return { done: true, value };
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
    // Check again before every retry: an attempt whose answer was lost may have stopped it already.
    const stopped = async () => {
      const now = await this.getExperiment(id, opts);
      const done = now.status === 'stopping' || TERMINAL_EXPERIMENT_STATES.includes(now.status);
      return done ? { alreadyDone: true, experiment: now } : undefined;
    };
    return this.caller.mutate(planStopExperiment(this.region, id), async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await this.caller.once(
            'StopExperiment',
            { kind: 'experiment', id },
            (abortSignal) => this.client.send(new StopExperimentCommand({ id }), { abortSignal }),
            opts,
          );
          return { alreadyDone: false, experiment: toExperimentInfo(out.experiment ?? { id }) };
        } catch (err) {
          if (!isClientError(err)) throw err;
          // It may have ended between our read and the stop: that is success, not an error.
          if (['E_CONFLICT', 'E_BAD_REQUEST'].includes(err.code)) {
            const done = await stopped();
            if (done) return done;
            throw err;
          }
          if (!err.retryable || attempt >= this.caller.retry.maxAttempts) throw err;
          await sleep(
            backoffDelay(attempt, this.caller.retry),
            this.caller.site('StopExperiment'),
            opts.signal,
          );
          const done = await stopped();
          if (done) return { ...done, alreadyDone: false };
        }
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

/**
 * StartExperiment's experimentOptions.actionsMode (FIS API StartExperimentExperimentOptionsInput) is newer than
 * client-fis 3.523, the newest the registry offers here, whose serializer drops it: add it to the JSON body.
 */
function withActionsMode(command: StartExperimentCommand, actionsMode: 'run-all' | 'skip-all'): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = (args as { request?: { body?: unknown; headers?: Record<string, string> } }).request;
      if (request && typeof request.body === 'string') {
        const body = JSON.parse(request.body) as Record<string, unknown>;
        request.body = JSON.stringify({ ...body, experimentOptions: { actionsMode } });
        if (request.headers?.['content-length'] !== undefined)
          request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
      }
      return next(args);
    },
    { step: 'build', name: 'drillExperimentActionsMode' },
  );
}
