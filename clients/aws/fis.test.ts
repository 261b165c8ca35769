import {
  CreateExperimentTemplateCommand,
  type Experiment,
  FisClient,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError, FAST_RETRY, type LooseStub, mockClientInSuite, RecordingAudit } from '../testing.ts';
import { Fis, type TemplateInput, templateClientToken } from './fis.ts';

// client-fis 3.523 is typed with @smithy/types 2 and aws-sdk-client-mock with 4: same runtime, other types.
const fisMock = mockClientInSuite(FisClient as never) as unknown as LooseStub;
let audit: RecordingAudit;
let fis: Fis;

const template: TemplateInput = {
  name: 'primary-database-network-outage',
  description: 'Cross-Region isolation eu-west-1 -> us-east-1',
  roleArn: 'arn:aws:iam::111122223333:role/fis-dr',
  stopConditions: [
    {
      source: 'aws:cloudwatch:alarm',
      value: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:luneo-dr-abort',
    },
  ],
  targets: {
    PrivateSubnets: {
      resourceType: 'aws:ec2:subnet',
      resourceTags: { DisruptSubnet: 'Allowed' },
      selectionMode: 'ALL',
    },
  },
  actions: {
    IsolateFromUsEast1: {
      actionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
      parameters: { duration: 'PT30M', region: 'us-east-1' },
      targets: { Subnets: 'PrivateSubnets' },
    },
  },
};

function experiment(status: string, extra: Partial<Experiment> = {}): { experiment: Experiment } {
  return {
    experiment: {
      id: 'EXPabc123',
      experimentTemplateId: 'EXTxyz789',
      state: { status: status as never },
      ...extra,
    },
  };
}

beforeEach(() => {
  fisMock.reset();
  audit = new RecordingAudit();
  fis = new Fis(new FisClient({ region: 'eu-west-1' }), 'eu-west-1', { audit, retry: FAST_RETRY });
});

describe('createExperimentTemplate', () => {
  it('creates the template tagged drill:template with a deterministic clientToken when none exists', async () => {
    fisMock
      .on(ListExperimentTemplatesCommand)
      .resolves({ experimentTemplates: [{ id: 'EXTother', tags: { 'drill:template': 'other' } }] });
    fisMock.on(CreateExperimentTemplateCommand).resolves({ experimentTemplate: { id: 'EXTxyz789' } });
    expect(await fis.createExperimentTemplate(template)).toEqual({ id: 'EXTxyz789', created: true });
    const sent = fisMock.commandCalls(CreateExperimentTemplateCommand)[0]!.args[0].input;
    expect(sent.tags).toEqual({ 'drill:template': 'primary-database-network-outage' });
    expect(sent.clientToken).toBe(templateClientToken(template));
    expect(sent.clientToken).toMatch(/^drill-tpl-[0-9a-f]{40}$/);
    expect(sent).not.toHaveProperty('name');
    expect(audit.operations).toEqual(['before:CreateExperimentTemplate', 'after:CreateExperimentTemplate']);
  });

  it('returns the existing template without creating one (idempotent)', async () => {
    fisMock
      .on(ListExperimentTemplatesCommand)
      .resolvesOnce({ experimentTemplates: [{ id: 'EXTother', tags: {} }], nextToken: 'p2' })
      .resolves({
        experimentTemplates: [
          { id: 'EXTxyz789', tags: { 'drill:template': 'primary-database-network-outage' } },
        ],
      });
    expect(await fis.createExperimentTemplate(template)).toEqual({ id: 'EXTxyz789', created: false });
    expect(fisMock.commandCalls(CreateExperimentTemplateCommand)).toHaveLength(0);
    expect(fisMock.commandCalls(ListExperimentTemplatesCommand)[1]!.args[0].input).toEqual({
      maxResults: 100,
      nextToken: 'p2',
    });
    expect(audit.events).toEqual([]);
  });
});

describe('startExperiment', () => {
  it('passes the caller clientToken and tags it, so a crash-recovery can find the experiment', async () => {
    fisMock
      .on(StartExperimentCommand)
      .resolves(experiment('initiating', { tags: { 'drill:run-id': 'run-1' } }));
    const e = await fis.startExperiment({
      templateId: 'EXTxyz789',
      clientToken: 'run-1-fault',
      tags: { 'drill:run-id': 'run-1' },
    });
    expect(e).toMatchObject({ id: 'EXPabc123', templateId: 'EXTxyz789', status: 'initiating' });
    expect(fisMock.commandCalls(StartExperimentCommand)[0]!.args[0].input).toEqual({
      experimentTemplateId: 'EXTxyz789',
      clientToken: 'run-1-fault',
      tags: { 'drill:run-id': 'run-1', 'drill:client-token': 'run-1-fault' },
    });
    expect(audit.events[0]!.call.params).toEqual({
      experimentTemplateId: 'EXTxyz789',
      clientToken: 'run-1-fault',
      tags: { 'drill:run-id': 'run-1', 'drill:client-token': 'run-1-fault' },
    });
  });

  it('retries a 503 with the same clientToken (same experiment, not a second one)', async () => {
    fisMock
      .on(StartExperimentCommand)
      .rejectsOnce(awsError('ServiceUnavailableException', 503))
      .resolves(experiment('initiating'));
    await fis.startExperiment({ templateId: 'EXTxyz789', clientToken: 'tok-1' });
    const tokens = fisMock.commandCalls(StartExperimentCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens).toEqual(['tok-1', 'tok-1']);
    expect(audit.operations).toEqual(['before:StartExperiment', 'after:StartExperiment']);
  });

  it('names the template when it does not exist', async () => {
    fisMock.on(StartExperimentCommand).rejects(awsError('ResourceNotFoundException', 404));
    await expect(fis.startExperiment({ templateId: 'EXTnope', clientToken: 't' })).rejects.toThrow(
      'experiment template "EXTnope" not found in eu-west-1 (ResourceNotFoundException)',
    );
  });
});

describe('waitForExperimentState', () => {
  it('polls until running', async () => {
    fisMock.on(GetExperimentCommand).resolvesOnce(experiment('initiating')).resolves(experiment('running'));
    expect((await fis.waitForExperimentState('EXPabc123', ['running'], { intervalMs: 1 })).status).toBe(
      'running',
    );
    expect(fisMock.commandCalls(GetExperimentCommand)).toHaveLength(2);
  });

  it('stops waiting when the experiment ends in another terminal state, with its reason', async () => {
    fisMock.on(GetExperimentCommand).resolves({
      experiment: { id: 'EXPabc123', state: { status: 'failed', reason: 'Target resolution failed' } },
    });
    await expect(
      fis.waitForExperimentState('EXPabc123', ['running'], { intervalMs: 1 }),
    ).rejects.toMatchObject({
      code: 'E_WAIT_FAILED',
      message:
        'stopped waiting for experiment EXPabc123 to be running: status failed (Target resolution failed)',
    });
    expect(fisMock.commandCalls(GetExperimentCommand)).toHaveLength(1);
  });
});

describe('stopExperiment', () => {
  it('stops a running experiment, audited', async () => {
    fisMock.on(GetExperimentCommand).resolves(experiment('running'));
    fisMock.on(StopExperimentCommand).resolves(experiment('stopping'));
    expect(await fis.stopExperiment('EXPabc123')).toMatchObject({
      alreadyDone: false,
      experiment: { status: 'stopping' },
    });
    expect(fisMock.commandCalls(StopExperimentCommand)[0]!.args[0].input).toEqual({ id: 'EXPabc123' });
    expect(audit.operations).toEqual(['before:StopExperiment', 'after:StopExperiment']);
  });

  it.each(['completed', 'stopped', 'failed', 'cancelled', 'stopping'])(
    'is a no-op when the experiment is %s',
    async (status) => {
      fisMock.on(GetExperimentCommand).resolves(experiment(status));
      expect((await fis.stopExperiment('EXPabc123')).alreadyDone).toBe(true);
      expect(fisMock.commandCalls(StopExperimentCommand)).toHaveLength(0);
    },
  );

  it('treats a conflict from an experiment that just completed as done', async () => {
    fisMock.on(GetExperimentCommand).resolvesOnce(experiment('running')).resolves(experiment('completed'));
    fisMock.on(StopExperimentCommand).rejects(awsError('ConflictException', 409));
    expect((await fis.stopExperiment('EXPabc123')).alreadyDone).toBe(true);
  });

  it('does not stop twice when the answer of an applied stop was lost: it reads the state before retrying', async () => {
    fisMock.on(GetExperimentCommand).resolvesOnce(experiment('running')).resolves(experiment('stopping'));
    fisMock
      .on(StopExperimentCommand)
      .rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(await fis.stopExperiment('EXPabc123')).toMatchObject({
      alreadyDone: false,
      experiment: { status: 'stopping' },
    });
    expect(fisMock.commandCalls(StopExperimentCommand)).toHaveLength(1);
  });

  it('retries a stop that failed before it was applied', async () => {
    fisMock.on(GetExperimentCommand).resolves(experiment('running'));
    fisMock
      .on(StopExperimentCommand)
      .rejectsOnce(awsError('ThrottlingException', 429))
      .resolves(experiment('stopping'));
    expect((await fis.stopExperiment('EXPabc123')).alreadyDone).toBe(false);
    expect(fisMock.commandCalls(StopExperimentCommand)).toHaveLength(2);
  });
});

describe('look-ups', () => {
  it('lists resolved targets across pages', async () => {
    fisMock
      .on(ListExperimentResolvedTargetsCommand)
      .resolvesOnce({
        resolvedTargets: [
          {
            resourceType: 'aws:ec2:subnet',
            targetName: 'PrivateSubnets',
            targetInformation: { arn: 'subnet-1' },
          },
        ],
        nextToken: 'n',
      })
      .resolves({
        resolvedTargets: [
          {
            resourceType: 'aws:ec2:subnet',
            targetName: 'PrivateSubnets',
            targetInformation: { arn: 'subnet-2' },
          },
        ],
      });
    expect(await fis.listResolvedTargets('EXPabc123')).toEqual([
      {
        resourceType: 'aws:ec2:subnet',
        targetName: 'PrivateSubnets',
        targetInformation: { arn: 'subnet-1' },
      },
      {
        resourceType: 'aws:ec2:subnet',
        targetName: 'PrivateSubnets',
        targetInformation: { arn: 'subnet-2' },
      },
    ]);
    expect(fisMock.commandCalls(ListExperimentResolvedTargetsCommand)[1]!.args[0].input).toEqual({
      experimentId: 'EXPabc123',
      nextToken: 'n',
    });
  });

  it('finds experiments by run id (newest first) and by client token', async () => {
    fisMock.on(ListExperimentsCommand).resolves({
      experiments: [
        {
          id: 'EXP1',
          creationTime: new Date(1_000),
          state: { status: 'completed' },
          tags: { 'drill:run-id': 'run-1', 'drill:client-token': 'a' },
        },
        {
          id: 'EXP2',
          creationTime: new Date(2_000),
          state: { status: 'running' },
          tags: { 'drill:run-id': 'run-1', 'drill:client-token': 'b' },
        },
        {
          id: 'EXP3',
          creationTime: new Date(3_000),
          state: { status: 'running' },
          tags: { 'drill:run-id': 'run-2' },
        },
      ],
    });
    expect((await fis.findExperimentsByRunId('run-1')).map((e) => e.id)).toEqual(['EXP2', 'EXP1']);
    expect((await fis.findExperimentByClientToken('a'))?.id).toBe('EXP1');
    expect(await fis.findExperimentByClientToken('zzz')).toBeUndefined();
  });
});
