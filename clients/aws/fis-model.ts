// FIS shapes and pure helpers: tags, experiment info, deterministic template token, planned calls.

import { createHash } from 'node:crypto';
import type { CreateExperimentTemplateCommandInput, Experiment } from '@aws-sdk/client-fis';
import type { PlannedCall } from '../../core/model.ts';

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
  /** startTime: when the action started (GetExperiment ExperimentAction.startTime), the fault's effective instant. */
  actions: Record<string, { actionId: string; status: string; reason?: string; startTime?: Date }>;
}

export type TemplateInput = Omit<CreateExperimentTemplateCommandInput, 'clientToken'> & {
  /** Logical name, stored as tag drill:template=<name>: the key of find-or-create. */
  name: string;
};

export interface StartInput {
  templateId: string;
  /** skip-all resolves the targets and runs no action: FIS's target preview. Default run-all. */
  actionsMode?: 'run-all' | 'skip-all';
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
          ...(a.startTime ? { startTime: a.startTime } : {}),
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
      // The role FIS runs the experiment as: the caller needs iam:PassRole on it (the permission check).
      ...(input.roleArn ? { roleArn: input.roleArn } : {}),
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
      ...(input.actionsMode ? { experimentOptions: { actionsMode: input.actionsMode } } : {}),
    },
    mutating: true,
  };
}

export function planStopExperiment(region: string, id: string): PlannedCall {
  return { service: 'fis', operation: 'StopExperiment', scope: region, params: { id }, mutating: true };
}

export function startTags(input: StartInput): Record<string, string> {
  return { ...input.tags, [CLIENT_TOKEN_TAG]: input.clientToken };
}
