// FIS over restJson1: experiment templates, experiments (idempotent on clientToken), resolved targets, tags.
import type { Alarms } from '../cloudwatch/alarms.ts';
import type { AwsContext, AwsReply, AwsRequest } from '../context.ts';
import { AwsError } from '../protocol/errors.ts';
import { restJsonError } from '../protocol/json.ts';
import { toJsonWire } from '../protocol/shapes.ts';
import { randomId } from '../route53/zone.ts';
import { FIS_ACTIONS, parseIsoDuration } from './catalogue.ts';
import { Experiment, type TemplateSnapshot } from './experiment.ts';
import { type TargetSpec, validateTarget } from './targets.ts';

type Input = Record<string, unknown>;

interface Template extends TemplateSnapshot {
  arn: string;
  description: string;
  creationTime: Date;
  lastUpdateTime: Date;
}

function validation(message: string): AwsError {
  return new AwsError('ValidationException', 400, message);
}

export class FisService {
  private readonly templates = new Map<string, Template>();
  private readonly experiments = new Map<string, Experiment>();
  private readonly tokens = new Map<string, string>();
  private readonly tags = new Map<string, Record<string, string>>();
  private readonly ctx: AwsContext;
  private readonly alarms: Alarms;

  constructor(ctx: AwsContext, alarms: Alarms) {
    this.ctx = ctx;
    this.alarms = alarms;
    alarms.onChange((alarm) => {
      if (alarm.state !== 'ALARM') return;
      for (const experiment of this.experiments.values()) {
        if (experiment.terminal || !experiment.stopConditionAlarms.some((a) => this.alarms.find(a) === alarm))
          continue;
        void experiment.end(
          'stopped',
          `Stop condition triggered: alarm ${alarm.arn} is in ALARM (${alarm.reason})`,
        );
      }
    });
  }

  /** Stop every running experiment, reverting its faults (the server is closing). */
  async shutdown(): Promise<void> {
    const running = [...this.experiments.values()].filter((e) => !e.terminal);
    await Promise.all(running.map((e) => e.end('stopped', 'The lab AWS endpoint closed.')));
  }

  async handle(request: AwsRequest): Promise<AwsReply> {
    try {
      const { status = 200, body } = await this.route(request);
      return {
        status,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(toJsonWire(body)),
      };
    } catch (error) {
      const failure = error instanceof AwsError ? error : validation((error as Error).message);
      const reply = restJsonError(failure);
      return { status: reply.status, headers: reply.headers, body: reply.body };
    }
  }

  private async route(request: AwsRequest): Promise<{ status?: number; body: unknown }> {
    const [collection, rawId, sub] = request.path.split('/').filter(Boolean).map(decodeURIComponent);
    const method = request.method;
    const input = (request.body.length > 0 ? JSON.parse(request.body.toString('utf8')) : {}) as Input;
    const region = request.region;
    if (collection === 'experimentTemplates') {
      if (!rawId && method === 'POST')
        return { body: { experimentTemplate: this.templateView(this.createTemplate(input, region)) } };
      if (!rawId && method === 'GET') {
        return {
          body: { experimentTemplates: [...this.templates.values()].map((t) => this.templateSummary(t)) },
        };
      }
      const template = this.template(rawId as string);
      if (method === 'GET') return { body: { experimentTemplate: this.templateView(template) } };
      if (method === 'DELETE') {
        this.templates.delete(template.id);
        this.ctx.mutated('DeleteExperimentTemplate');
        return { body: { experimentTemplate: this.templateView(template) } };
      }
    }
    if (collection === 'experiments') {
      if (!rawId && method === 'POST')
        return { body: { experiment: this.experimentView(this.startExperiment(input, region)) } };
      if (!rawId && method === 'GET') {
        const templateId = request.query.get('experimentTemplateId');
        const list = [...this.experiments.values()].filter(
          (e) => !templateId || e.template.id === templateId,
        );
        return { body: { experiments: list.map((e) => this.experimentSummary(e)) } };
      }
      const experiment = this.experiment(rawId as string);
      if (!sub && method === 'GET') return { body: { experiment: this.experimentView(experiment) } };
      if (!sub && method === 'DELETE') {
        if (experiment.terminal)
          throw validation(`Experiment ${experiment.id} is already ${experiment.status}.`);
        // Answer at once with 'stopping', as FIS does; the reverts finish in the background.
        void experiment.end('stopped', 'Experiment stopped by user (StopExperiment).');
        this.ctx.mutated('StopExperiment');
        return { body: { experiment: this.experimentView(experiment) } };
      }
      if (sub === 'resolvedTargets' && method === 'GET') {
        const only = request.query.get('targetName');
        const resolvedTargets = Object.entries(experiment.resolved)
          .filter(([name]) => !only || name === only)
          .flatMap(([targetName, resources]) =>
            resources.map((r) => ({
              resourceType: r.type,
              targetName,
              targetInformation: { arn: r.arn, id: r.id, region: r.region },
            })),
          );
        return { body: { resolvedTargets } };
      }
    }
    if (collection === 'tags' && rawId) return this.routeTags(method, rawId, input, request.query);
    if (collection === 'actions' && method === 'GET' && !rawId) {
      return {
        body: {
          actions: Object.entries(FIS_ACTIONS).map(([id, a]) => ({
            id,
            description: a.description,
            targets: a.targetType ? { Targets: { resourceType: a.targetType } } : {},
          })),
        },
      };
    }
    if (collection === 'targetResourceTypes' && method === 'GET' && !rawId) {
      const types = [...new Set(this.ctx.backend.resources().map((r) => r.type))];
      return {
        body: {
          targetResourceTypes: types.map((resourceType) => ({
            resourceType,
            description: `Lab resources of type ${resourceType}`,
          })),
        },
      };
    }
    throw new AwsError(
      'UnknownOperationException',
      400,
      `The lab's FIS has no operation for ${method} ${request.path}.`,
    );
  }

  private routeTags(method: string, arn: string, input: Input, query: URLSearchParams): { body: unknown } {
    const current = this.tags.get(arn) ?? {};
    if (method === 'GET') return { body: { tags: current } };
    if (method === 'POST')
      this.tags.set(arn, { ...current, ...((input.tags as Record<string, string>) ?? {}) });
    else if (method === 'DELETE') {
      const keys = query.getAll('tagKeys');
      this.tags.set(arn, Object.fromEntries(Object.entries(current).filter(([k]) => !keys.includes(k))));
    } else throw new AwsError('UnknownOperationException', 400, `The lab's FIS has no ${method} on /tags.`);
    this.ctx.mutated(method === 'POST' ? 'TagResource' : 'UntagResource');
    return { body: {} };
  }

  private template(id: string): Template {
    const template = this.templates.get(id);
    if (!template)
      throw new AwsError('ResourceNotFoundException', 404, `Experiment template ${id} not found.`);
    return template;
  }

  private experiment(id: string): Experiment {
    const experiment = this.experiments.get(id);
    if (!experiment) throw new AwsError('ResourceNotFoundException', 404, `Experiment ${id} not found.`);
    return experiment;
  }

  private createTemplate(input: Input, region: string): Template {
    const token = input.clientToken as string | undefined;
    const known = token ? this.tokens.get(`template:${token}`) : undefined;
    if (known && this.templates.has(known)) return this.template(known);
    const actions = (input.actions ?? {}) as TemplateSnapshot['actions'];
    const targets = (input.targets ?? {}) as Record<string, TargetSpec>;
    const stopConditions = (input.stopConditions ?? []) as TemplateSnapshot['stopConditions'];
    if (!input.description) throw validation('description is required.');
    if (!input.roleArn) throw validation('roleArn is required.');
    if (Object.keys(actions).length === 0)
      throw validation('An experiment template needs at least one action.');
    for (const [name, spec] of Object.entries(targets)) validateTarget(name, spec);
    // Model: CreateExperimentTemplateTargetInput.resourceArns is a ResourceArnList of at most 5 (fis service-2.json).
    for (const [name, spec] of Object.entries(targets)) {
      if ((spec.resourceArns?.length ?? 0) > 5)
        throw validation(
          `Target ${name}: resourceArns has ${spec.resourceArns?.length} items; at most 5 are allowed.`,
        );
    }
    for (const [name, action] of Object.entries(actions)) {
      const spec = FIS_ACTIONS[action.actionId];
      if (!spec)
        throw validation(`Action ${name}: action type ${action.actionId} is not supported by AWS FIS.`);
      const duration = action.parameters?.duration;
      if (duration !== undefined && parseIsoDuration(duration) === undefined) {
        throw validation(`Action ${name}: duration "${duration}" is not an ISO-8601 duration such as PT5M.`);
      }
      if (spec.durationRequired && duration === undefined)
        throw validation(`Action ${name}: ${action.actionId} needs a duration parameter.`);
      for (const parameter of spec.requiredParameters ?? []) {
        if (!action.parameters?.[parameter])
          throw validation(`Action ${name}: ${action.actionId} needs the parameter ${parameter}.`);
      }
      for (const targetName of Object.values(action.targets ?? {})) {
        const target = targets[targetName];
        if (!target)
          throw validation(`Action ${name}: target ${targetName} is not defined in the template's targets.`);
        if (spec.targetType && target.resourceType !== spec.targetType) {
          throw validation(
            `Action ${name}: ${action.actionId} targets ${spec.targetType}, but target ${targetName} is ${target.resourceType}.`,
          );
        }
      }
      for (const after of action.startAfter ?? []) {
        if (!actions[after]) throw validation(`Action ${name}: startAfter names unknown action ${after}.`);
      }
    }
    for (const condition of stopConditions) {
      if (condition.source === 'none') continue;
      if (condition.source !== 'aws:cloudwatch:alarm' || !condition.value) {
        throw validation(
          `Stop condition source must be "none" or "aws:cloudwatch:alarm" with an alarm ARN, got ${JSON.stringify(condition)}.`,
        );
      }
      if (!this.alarms.find(condition.value))
        throw validation(`Stop condition alarm ${condition.value} does not exist.`);
    }
    const id = `EXT${randomId(14)}`;
    const now = new Date();
    const options = (input.experimentOptions ?? {}) as Partial<TemplateSnapshot['experimentOptions']>;
    const template: Template = {
      id,
      arn: `arn:aws:fis:${region}:${this.ctx.accountId}:experiment-template/${id}`,
      description: input.description as string,
      roleArn: input.roleArn as string,
      targets,
      actions,
      stopConditions,
      experimentOptions: {
        accountTargeting: options.accountTargeting ?? 'single-account',
        emptyTargetResolutionMode: options.emptyTargetResolutionMode ?? 'fail',
      },
      logConfiguration: input.logConfiguration,
      creationTime: now,
      lastUpdateTime: now,
    };
    this.templates.set(id, template);
    this.tags.set(template.arn, (input.tags as Record<string, string>) ?? {});
    if (token) this.tokens.set(`template:${token}`, id);
    this.ctx.mutated('CreateExperimentTemplate');
    return template;
  }

  private startExperiment(input: Input, region: string): Experiment {
    const token = input.clientToken as string | undefined;
    const known = token ? this.tokens.get(`experiment:${token}`) : undefined;
    if (known) return this.experiment(known);
    const template = this.template(String(input.experimentTemplateId ?? ''));
    const id = `EXP${randomId(14)}`;
    const experiment = new Experiment({
      id,
      arn: `arn:aws:fis:${region}:${this.ctx.accountId}:experiment/${id}`,
      template: structuredClone({ ...template, arn: undefined, description: undefined }) as TemplateSnapshot,
      tags: (input.tags as Record<string, string>) ?? {},
      actionsMode: ((input.experimentOptions as Input | undefined)?.actionsMode as string) ?? 'run-all',
      backend: this.ctx.backend,
      log: (line) => this.ctx.log(line),
      ...(this.ctx.fisQuotas ? { quotas: this.ctx.fisQuotas(region) } : {}),
    });
    this.experiments.set(id, experiment);
    this.tags.set(experiment.arn, experiment.tags);
    if (token) this.tokens.set(`experiment:${token}`, id);
    this.ctx.mutated('StartExperiment');
    experiment.start();
    const tripped = experiment.stopConditionAlarms
      .map((a) => this.alarms.find(a))
      .find((a) => a?.state === 'ALARM');
    if (tripped)
      void experiment.end(
        'stopped',
        `Stop condition triggered: alarm ${tripped.arn} is in ALARM (${tripped.reason})`,
      );
    return experiment;
  }

  private templateSummary(t: Template): Record<string, unknown> {
    return {
      id: t.id,
      arn: t.arn,
      description: t.description,
      creationTime: t.creationTime,
      lastUpdateTime: t.lastUpdateTime,
      tags: this.tags.get(t.arn) ?? {},
    };
  }

  private templateView(t: Template): Record<string, unknown> {
    return {
      ...this.templateSummary(t),
      roleArn: t.roleArn,
      targets: t.targets,
      actions: t.actions,
      stopConditions: t.stopConditions,
      experimentOptions: t.experimentOptions,
      logConfiguration: t.logConfiguration,
    };
  }

  private experimentSummary(e: Experiment): Record<string, unknown> {
    return {
      id: e.id,
      arn: e.arn,
      experimentTemplateId: e.template.id,
      state: {
        status: e.status,
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.error ? { error: e.error } : {}),
      },
      creationTime: e.creationTime,
      tags: e.tags,
      experimentOptions: { ...e.template.experimentOptions, actionsMode: e.actionsMode },
    };
  }

  private experimentView(e: Experiment): Record<string, unknown> {
    return {
      ...this.experimentSummary(e),
      roleArn: e.template.roleArn,
      targets: e.template.targets,
      actions: Object.fromEntries(
        Object.entries(e.actions).map(([name, run]) => [
          name,
          {
            ...run.spec,
            state: { status: run.status, ...(run.reason ? { reason: run.reason } : {}) },
            startTime: run.startTime,
            endTime: run.endTime,
          },
        ]),
      ),
      stopConditions: e.template.stopConditions,
      startTime: e.startTime,
      endTime: e.endTime,
      logConfiguration: e.template.logConfiguration,
    };
  }
}
