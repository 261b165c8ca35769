import { Readable } from 'node:stream';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateExperimentTemplateCommand,
  type CreateExperimentTemplateCommandInput,
  FisClient,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from '../testing/harness.ts';

const ALARM_ARN = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:luneo-prod-alb-5xx';

let h: Harness;
let fis: FisClient;
beforeEach(async () => {
  h = await startHarness();
  fis = new FisClient(h.client('eu-west-1'));
});
afterEach(async () => {
  fis.destroy();
  await h.close();
});

function template(
  overrides: Partial<CreateExperimentTemplateCommandInput> = {},
): CreateExperimentTemplateCommandInput {
  return {
    description: 'Primary database subnets drop off the network',
    roleArn: 'arn:aws:iam::111122223333:role/fis-dr',
    stopConditions: [{ source: 'aws:cloudwatch:alarm', value: ALARM_ARN }],
    targets: {
      DbSubnets: {
        resourceType: 'aws:ec2:subnet',
        resourceTags: { tier: 'database', DisruptSubnet: 'Allowed' },
        selectionMode: 'ALL',
      },
    },
    actions: {
      Isolate: {
        actionId: 'aws:network:disrupt-connectivity',
        parameters: { duration: 'PT0.2S', scope: 'all' },
        targets: { Subnets: 'DbSubnets' },
      },
      Settle: { actionId: 'aws:fis:wait', parameters: { duration: 'PT0.05S' }, startAfter: ['Isolate'] },
    },
    ...overrides,
  };
}

async function status(id: string): Promise<string | undefined> {
  return (await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status;
}

describe('experiments', () => {
  it('runs actions in startAfter order, reverts each at the end of its duration, and completes', async () => {
    const { experimentTemplate } = await fis.send(new CreateExperimentTemplateCommand(template()));
    expect(experimentTemplate?.id).toMatch(/^EXT[A-Z0-9]{14}$/);
    expect(experimentTemplate?.creationTime).toBeInstanceOf(Date);
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id, clientToken: 'drill-1' }),
    );
    expect(experiment?.state?.status).toBe('initiating');
    expect(experiment?.id).toMatch(/^EXP[A-Z0-9]{14}$/);
    await vi.waitFor(async () => expect(await status(experiment?.id as string)).toBe('completed'), {
      interval: 20,
      timeout: 3000,
    });
    const done = (await fis.send(new GetExperimentCommand({ id: experiment?.id }))).experiment;
    expect(done?.actions?.Isolate?.state?.status).toBe('completed');
    expect(done?.actions?.Settle?.state?.status).toBe('completed');
    expect(Number(done?.actions?.Settle?.startTime)).toBeGreaterThanOrEqual(
      Number(done?.actions?.Isolate?.endTime),
    );
    expect(h.backend.faults).toEqual([
      'inject aws:network:disrupt-connectivity subnet-db-euw1',
      'revert aws:network:disrupt-connectivity subnet-db-euw1',
    ]);
    const { resolvedTargets } = await fis.send(
      new ListExperimentResolvedTargetsCommand({ experimentId: experiment?.id }),
    );
    expect(resolvedTargets).toEqual([
      {
        resourceType: 'aws:ec2:subnet',
        targetName: 'DbSubnets',
        targetInformation: {
          arn: 'arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-db-euw1',
          id: 'subnet-db-euw1',
          region: 'eu-west-1',
        },
      },
    ]);
  });

  it('is idempotent on clientToken: the same token returns the same experiment', async () => {
    const { experimentTemplate } = await fis.send(new CreateExperimentTemplateCommand(template()));
    const first = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id, clientToken: 'same' }),
    );
    const second = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id, clientToken: 'same' }),
    );
    expect(second.experiment?.id).toBe(first.experiment?.id);
    const { experiments } = await fis.send(new ListExperimentsCommand({}));
    expect(experiments).toHaveLength(1);
    expect(h.server.mutationCounts().StartExperiment).toBe(1);
  });

  it('StopExperiment answers stopping, reverts what was injected, then stopped', async () => {
    const { experimentTemplate } = await fis.send(
      new CreateExperimentTemplateCommand(
        template({
          actions: {
            Isolate: {
              actionId: 'aws:network:disrupt-connectivity',
              parameters: { duration: 'PT10M' },
              targets: { Subnets: 'DbSubnets' },
            },
          },
        }),
      ),
    );
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id }),
    );
    const id = experiment?.id as string;
    await vi.waitFor(async () => expect(await status(id)).toBe('running'), { interval: 10 });
    await vi.waitFor(() => expect(h.backend.faults).toHaveLength(1), { interval: 10 });
    const stopped = await fis.send(new StopExperimentCommand({ id }));
    expect(stopped.experiment?.state?.status).toBe('stopping');
    await vi.waitFor(async () => expect(await status(id)).toBe('stopped'), { interval: 10 });
    const final = (await fis.send(new GetExperimentCommand({ id }))).experiment;
    expect(final?.state?.reason).toBe('Experiment stopped by user (StopExperiment).');
    expect(final?.actions?.Isolate?.state?.status).toBe('stopped');
    expect(h.backend.faults).toEqual([
      'inject aws:network:disrupt-connectivity subnet-db-euw1',
      'revert aws:network:disrupt-connectivity subnet-db-euw1',
    ]);
    const again = await fis.send(new StopExperimentCommand({ id })).catch((e) => e);
    expect(again.name).toBe('ValidationException');
  });

  it('stops on a stop-condition alarm going to ALARM and reverts', async () => {
    const { experimentTemplate } = await fis.send(
      new CreateExperimentTemplateCommand(
        template({
          actions: {
            Isolate: {
              actionId: 'aws:network:disrupt-connectivity',
              parameters: { duration: 'PT10M' },
              targets: { Subnets: 'DbSubnets' },
            },
          },
        }),
      ),
    );
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id }),
    );
    const id = experiment?.id as string;
    await vi.waitFor(() => expect(h.backend.faults).toHaveLength(1), { interval: 10 });
    const cw = new CloudWatchClient(h.client('eu-west-1'));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'luneo-prod-alb-5xx', StateValue: 'ALARM', StateReason: 'test' }),
    );
    cw.destroy();
    await vi.waitFor(async () => expect(await status(id)).toBe('stopped'), { interval: 10 });
    const final = (await fis.send(new GetExperimentCommand({ id }))).experiment;
    expect(final?.state?.reason).toBe(`Stop condition triggered: alarm ${ALARM_ARN} is in ALARM (test)`);
    expect(h.backend.faults[1]).toBe('revert aws:network:disrupt-connectivity subnet-db-euw1');
  });

  it('fails with the lab’s reason when the backend cannot map an action', async () => {
    const { experimentTemplate } = await fis.send(
      new CreateExperimentTemplateCommand(
        template({
          targets: {
            Subnets: {
              resourceType: 'aws:ec2:subnet',
              resourceTags: { tier: 'database' },
              selectionMode: 'ALL',
            },
            Instances: { resourceType: 'aws:ec2:instance', resourceTags: { any: 'x' }, selectionMode: 'ALL' },
          },
          actions: { Stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'Instances' } } },
          experimentOptions: { emptyTargetResolutionMode: 'skip' },
        }),
      ),
    );
    h.backend.labResources.push({
      arn: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-1',
      type: 'aws:ec2:instance',
      region: 'eu-west-1',
      tags: { any: 'x' },
      id: 'i-1',
    });
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id }),
    );
    await vi.waitFor(async () => expect(await status(experiment?.id as string)).toBe('failed'), {
      interval: 10,
    });
    const final = (await fis.send(new GetExperimentCommand({ id: experiment?.id }))).experiment;
    expect(final?.state?.reason).toBe(
      'Action Stop (aws:ec2:stop-instances) failed: the lab cannot map aws:ec2:stop-instances',
    );
    expect(final?.actions?.Stop?.state?.status).toBe('failed');
  });

  it('selects EKS pods by cluster, namespace and label selector', async () => {
    const { experimentTemplate } = await fis.send(
      new CreateExperimentTemplateCommand(
        template({
          stopConditions: [{ source: 'none' }],
          targets: {
            Pods: {
              resourceType: 'aws:eks:pod',
              parameters: {
                clusterIdentifier: 'arn:aws:eks:eu-west-1:111122223333:cluster/luneo-prod-eks-primary',
                namespace: 'luneo-platform',
                selectorType: 'labelSelector',
                selectorValue: 'app=luneo-api',
              },
              selectionMode: 'COUNT(1)',
            },
          },
          actions: { Kill: { actionId: 'aws:eks:pod-delete', targets: { Pods: 'Pods' } } },
        }),
      ),
    );
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id }),
    );
    await vi.waitFor(async () => expect(await status(experiment?.id as string)).toBe('completed'), {
      interval: 10,
    });
    expect(h.backend.faults).toEqual(['inject aws:eks:pod-delete luneo-api-1']);
  });
});

describe('template validation', () => {
  it.each([
    [
      { actions: { X: { actionId: 'aws:rds:pause-global', parameters: {} } } },
      'Action X: action type aws:rds:pause-global is not supported by AWS FIS.',
    ],
    [
      { actions: { X: { actionId: 'aws:fis:wait', parameters: { duration: 'five minutes' } } } },
      'Action X: duration "five minutes" is not an ISO-8601 duration such as PT5M.',
    ],
    [
      {
        actions: {
          X: {
            actionId: 'aws:network:disrupt-connectivity',
            targets: { Subnets: 'Nope' },
            parameters: { duration: 'PT1M' },
          },
        },
      },
      "Action X: target Nope is not defined in the template's targets.",
    ],
    [
      {
        stopConditions: [
          {
            source: 'aws:cloudwatch:alarm',
            value: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:missing',
          },
        ],
      },
      'Stop condition alarm arn:aws:cloudwatch:eu-west-1:111122223333:alarm:missing does not exist.',
    ],
  ])('rejects %j with ValidationException', async (overrides, message) => {
    const error = await fis
      .send(
        new CreateExperimentTemplateCommand(
          template(overrides as Partial<CreateExperimentTemplateCommandInput>),
        ),
      )
      .catch((e) => e);
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(message);
  });

  it('answers ResourceNotFoundException for an unknown template', async () => {
    const error = await fis
      .send(new StartExperimentCommand({ experimentTemplateId: 'EXTNOPE' }))
      .catch((e) => e);
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.message).toBe('Experiment template EXTNOPE not found.');
  });
});

describe('target quotas', () => {
  const subnets = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      arn: `arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-az${i}`,
      type: 'aws:ec2:subnet',
      region: 'eu-west-1' as const,
      tags: { Zone: 'three-az', DisruptSubnet: 'Allowed' },
      id: `subnet-az${i}`,
    }));

  /** GetExperiment as the wire has it: the SDK of this project predates ExperimentState.error. */
  async function rawState(id: string): Promise<Record<string, unknown>> {
    let body = '';
    const capture =
      (next: (a: unknown) => Promise<{ response: { body: AsyncIterable<Uint8Array> } }>) =>
      async (args: unknown) => {
        const out = await next(args);
        const chunks: Buffer[] = [];
        for await (const chunk of out.response.body) chunks.push(Buffer.from(chunk));
        body = Buffer.concat(chunks).toString('utf8');
        out.response.body = Readable.from([Buffer.from(body)]);
        return out;
      };
    const client = new FisClient(h.client('eu-west-1'));
    client.middlewareStack.add(capture as never, { step: 'deserialize', priority: 'low' });
    try {
      await client.send(new GetExperimentCommand({ id }));
    } finally {
      client.destroy();
    }
    return (JSON.parse(body) as { experiment: { state: Record<string, unknown> } }).experiment.state;
  }

  it('fails an experiment whose tags select more subnets than "Target Subnets for aws:network:disrupt-connectivity" (5)', async () => {
    h.backend.labResources.push(...subnets(6));
    const { experimentTemplate } = await fis.send(
      new CreateExperimentTemplateCommand(
        template({
          targets: {
            DbSubnets: {
              resourceType: 'aws:ec2:subnet',
              resourceTags: { Zone: 'three-az' },
              selectionMode: 'ALL',
            },
          },
        }),
      ),
    );
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id, clientToken: 'quota' }),
    );
    const id = experiment?.id as string;
    await vi.waitFor(async () => expect(await status(id)).toBe('failed'), { interval: 10, timeout: 3000 });
    const state = await rawState(id);
    expect(state.error).toEqual({ code: 'QuotaExceededFailure', location: 'actions.Isolate' });
    expect(state.reason).toContain('"Target Subnets for aws:network:disrupt-connectivity" (5');
    expect(h.backend.faults).toEqual([]);
  });

  it('counts five tag-selected subnets as within the quota, and refuses six ARNs in one target (model: at most 5)', async () => {
    h.backend.labResources.push(...subnets(5));
    const { experimentTemplate } = await fis.send(
      new CreateExperimentTemplateCommand(
        template({
          targets: {
            DbSubnets: {
              resourceType: 'aws:ec2:subnet',
              resourceTags: { Zone: 'three-az' },
              selectionMode: 'ALL',
            },
          },
        }),
      ),
    );
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id }),
    );
    await vi.waitFor(async () => expect(await status(experiment?.id as string)).toBe('completed'), {
      interval: 10,
      timeout: 3000,
    });
    const arns = subnets(6).map((s) => s.arn);
    await expect(
      fis.send(
        new CreateExperimentTemplateCommand(
          template({
            targets: {
              DbSubnets: { resourceType: 'aws:ec2:subnet', resourceArns: arns, selectionMode: 'ALL' },
            },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
