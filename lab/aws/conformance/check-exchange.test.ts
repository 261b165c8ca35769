// The conformance check finds what departs from the AWS models, in requests, answers and errors; and the lab's
// own answers to the SDK's requests have no such departure.
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { FisClient, ListActionsCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetHealthCheckStatusCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../testing/harness.ts';
import { checkExchange, type Exchange } from './check-exchange.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const QUERY = { 'content-type': 'application/x-www-form-urlencoded' };

function exchange(request: Partial<Exchange>, reply: Partial<Exchange['reply']>): Exchange {
  return {
    method: 'POST',
    rawPath: '/',
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.from(''),
    signingService: undefined,
    ...request,
    reply: { status: 200, headers: {}, body: '', ...reply },
  };
}

const problems = (x: Exchange) =>
  checkExchange(x).violations.map((v) => `${v.message} ${v.path}: ${v.problem}`);

describe('the lab answers the SDK as the models say', () => {
  it('RDS, Route 53, FIS, Secrets Manager, CloudWatch, STS and IAM: no violation in requests or answers', async () => {
    h = await startHarness({ conformance: 'record' });
    const config = h.client('eu-west-1');
    const rds = new RDSClient(config);
    await rds.send(new DescribeGlobalClustersCommand({}));
    await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'luneo-prod-aurora-primary' }));
    const r53 = new Route53Client(config);
    const zones = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'luneo.app.' }));
    await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zones.HostedZones?.[0]?.Id }));
    await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: h.server.healthCheckIds().primary }));
    const fis = new FisClient(config);
    await fis.send(new ListExperimentsCommand({}));
    await fis.send(new ListActionsCommand({}));
    const sm = new SecretsManagerClient(config);
    await sm.send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' }));
    await sm.send(new DescribeSecretCommand({ SecretId: 'prod/luneo/DATABASE_URL' }));
    await sm.send(new ListSecretsCommand({}));
    const cw = new CloudWatchClient(config);
    await cw.send(new DescribeAlarmsCommand({}));
    const now = Date.now();
    await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 60_000),
        EndTime: new Date(now),
        MetricDataQueries: [
          {
            Id: 'lag',
            MetricStat: {
              Metric: { Namespace: 'AWS/RDS', MetricName: 'AuroraGlobalDBReplicationLag' },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    const sts = new STSClient(config);
    const me = await sts.send(new GetCallerIdentityCommand({}));
    await new IAMClient(config).send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: me.Arn?.replace(/:sts::(\d+):assumed-role\/([^/]+)\/.*/, ':iam::$1:role/$2'),
        ActionNames: ['rds:FailoverGlobalCluster', 'secretsmanager:GetSecretValue'],
      }),
    );
    const report = h.server.conformance();
    expect(report.violations).toEqual([]);
    expect(Object.keys(report.checked).sort()).toEqual([
      'cloudwatch.DescribeAlarms',
      'cloudwatch.GetMetricData',
      'fis.ListActions',
      'fis.ListExperiments',
      'iam.SimulatePrincipalPolicy',
      'rds.DescribeDBClusters',
      'rds.DescribeGlobalClusters',
      'route53.GetHealthCheckStatus',
      'route53.ListHostedZonesByName',
      'route53.ListResourceRecordSets',
      'secretsmanager.DescribeSecret',
      'secretsmanager.GetSecretValue',
      'secretsmanager.ListSecrets',
      'sts.GetCallerIdentity',
    ]);
  });

  it('with LAB_AWS_CONFORMANCE=enforce a violating exchange is answered 500, naming the violation', async () => {
    h = await startHarness({ conformance: 'enforce' });
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: QUERY,
      body: 'Action=DescribeGlobalClusters&Version=2014-10-31&MaxRecords=many',
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain(
      'rds.DescribeGlobalClusters request MaxRecords: integer is not an integer',
    );
  });
});

describe('a request the models do not allow is reported', () => {
  it('awsQuery: a missing required member, a boolean that is not one, an unknown parameter', () => {
    const body =
      'Action=FailoverGlobalCluster&Version=2014-10-31&GlobalClusterIdentifier=g&AllowDataLoss=yes&Force=true';
    const found = problems(
      exchange({ body: Buffer.from(body), headers: QUERY }, ok('FailoverGlobalCluster')),
    );
    expect(found.sort()).toEqual([
      'request AllowDataLoss: boolean is neither true nor false',
      'request Force: no such parameter in FailoverGlobalClusterMessage',
      'request TargetDbClusterIdentifier: required member missing (FailoverGlobalClusterMessage)',
    ]);
  });

  it('awsJson: a member of the wrong type, a value longer than the model allows, an unknown member', () => {
    const body = JSON.stringify({ SecretId: 'x'.repeat(2049), VersionStage: 7, Region: 'eu-west-1' });
    const found = problems(
      exchange(
        { body: Buffer.from(body), headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' } },
        { body: '{}' },
      ),
    );
    expect(found.sort()).toEqual([
      'request Region: no such member in GetSecretValueRequest',
      "request SecretId: length 2049 above the model's max 2048 (SecretIdType)",
      'request VersionStage: expected a string (SecretVersionStageType), got number',
    ]);
  });

  it('restJson: an enum value the model does not list', () => {
    const found = problems(
      exchange(
        { method: 'GET', rawPath: '/experiments', query: new URLSearchParams('maxResults=0') },
        { body: '{"experiments":[]}' },
      ),
    );
    expect(found).toEqual([
      "request maxResults: value 0 below the model's min 1 (ListExperimentsMaxResults)",
    ]);
  });
});

function ok(operation: string, result = ''): Partial<Exchange['reply']> {
  return {
    body:
      `<${operation}Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><${operation}Result>${result}` +
      `</${operation}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

const DESCRIBE = Buffer.from('Action=DescribeGlobalClusters&Version=2014-10-31');

describe('an answer the models do not allow is reported', () => {
  it('awsQuery: list items under the wrong element name, an unknown member, a number that is not one', () => {
    const result =
      '<GlobalClusters><member><GlobalClusterIdentifier>g</GlobalClusterIdentifier><Writer>eu</Writer>' +
      '<StorageEncrypted>yes</StorageEncrypted></member></GlobalClusters>';
    const found = problems(
      exchange({ body: DESCRIBE, headers: QUERY }, ok('DescribeGlobalClusters', result)),
    );
    expect(found.sort()).toEqual([
      'response GlobalClusters[0].StorageEncrypted: boolean is neither true nor false',
      'response GlobalClusters[0].Writer: no such member in GlobalCluster',
      'response GlobalClusters[0]: list item is <member>, the model says <GlobalClusterMember>',
    ]);
  });

  it('IAM: the SourcePolicyType the lab used to answer is not in PolicySourceType', () => {
    const body = Buffer.from(
      'Action=SimulatePrincipalPolicy&Version=2010-05-08&PolicySourceArn=arn:aws:iam::111122223333:role/drill' +
        '&ActionNames.member.1=rds:FailoverGlobalCluster',
    );
    const result =
      '<EvaluationResults><member><EvalActionName>rds:FailoverGlobalCluster</EvalActionName>' +
      '<EvalResourceName>*</EvalResourceName><EvalDecision>allowed</EvalDecision><MatchedStatements><member>' +
      '<SourcePolicyId>p/Sid</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType></member>' +
      '</MatchedStatements></member></EvaluationResults><IsTruncated>false</IsTruncated>';
    const reply = ok('SimulatePrincipalPolicy', result);
    expect(problems(exchange({ body, headers: QUERY }, reply))).toEqual([
      'response EvaluationResults[0].MatchedStatements[0].SourcePolicyType: "IAM Policy" is not one of ' +
        "PolicySourceType's values: user, group, role, aws-managed, user-managed, resource, none",
    ]);
  });

  it('awsJson: a timestamp as ISO text (the JSON protocols send epoch seconds), a misnamed member', () => {
    const reply = JSON.stringify({
      SecretList: [{ Name: 'n', CreatedDate: '2026-11-20T10:00:00Z', VersionIdsToStages: {} }],
    });
    const found = problems(
      exchange(
        { body: Buffer.from('{}'), headers: { 'x-amz-target': 'secretsmanager.ListSecrets' } },
        { body: reply },
      ),
    );
    expect(found.sort()).toEqual([
      'response SecretList[0].CreatedDate: expected epoch seconds (TimestampType), got string',
      'response SecretList[0].VersionIdsToStages: no such member in SecretListEntry',
    ]);
  });

  it("restXml: an unknown element and a success status other than the operation's", () => {
    const found = problems(
      exchange(
        { method: 'GET', rawPath: '/2013-04-01/healthcheck/abc/status' },
        {
          status: 201,
          body:
            '<GetHealthCheckStatusResponse><HealthCheckObservations><HealthCheckObservation><Region>eu-west-1</Region>' +
            '<IPAddress>1.2.3.4</IPAddress><Healthy>true</Healthy></HealthCheckObservation></HealthCheckObservations>' +
            '</GetHealthCheckStatusResponse>',
        },
      ),
    );
    expect(found.sort()).toEqual([
      'response (root): HTTP 201, the model says 200',
      'response HealthCheckObservations[0].Healthy: no such member in HealthCheckObservation',
    ]);
  });

  it('restJson: an enum value no FIS experiment state has', () => {
    const found = problems(
      exchange(
        { method: 'GET', rawPath: '/experiments/EXP1' },
        { body: JSON.stringify({ experiment: { id: 'EXP1', state: { status: 'exploded' } } }) },
      ),
    );
    expect(found).toEqual([
      'response experiment.state.status: "exploded" is not one of ExperimentStatus\'s values: pending, initiating, running, completed, stopping, stopped, failed, cancelled',
    ]);
  });
});

describe('an error the operation does not declare is reported', () => {
  const error = (code: string, status: number) => ({
    status,
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error></ErrorResponse>`,
  });
  const failover = Buffer.from(
    'Action=FailoverGlobalCluster&Version=2014-10-31&GlobalClusterIdentifier=g&TargetDbClusterIdentifier=c',
  );

  it('a declared error passes; with another HTTP status than the model gives it, it is reported', () => {
    const request = { body: failover, headers: QUERY };
    expect(problems(exchange(request, error('GlobalClusterNotFoundFault', 404)))).toEqual([]);
    expect(problems(exchange(request, error('GlobalClusterNotFoundFault', 400)))).toEqual([
      'error (root): GlobalClusterNotFoundFault answered with HTTP 400, the model says 404',
    ]);
  });

  it('a common error passes; an error code neither declared nor common is reported', () => {
    const request = { body: failover, headers: QUERY };
    expect(problems(exchange(request, error('Throttling', 400)))).toEqual([]);
    expect(problems(exchange(request, error('NoSuchKey', 404)))).toEqual([
      'error (root): NoSuchKey is neither an error FailoverGlobalCluster declares nor a common error',
    ]);
  });

  it('restJson reads the code from x-amzn-errortype; awsJson from __type', () => {
    const fis = exchange(
      { method: 'GET', rawPath: '/experiments/EXP1' },
      { status: 404, headers: { 'x-amzn-errortype': 'NoSuchExperiment' }, body: '{}' },
    );
    expect(problems(fis)).toEqual([
      'error (root): NoSuchExperiment is neither an error GetExperiment declares nor a common error',
    ]);
    const sm = exchange(
      { body: Buffer.from('{"SecretId":"s"}'), headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' } },
      { status: 400, body: '{"__type":"ResourceNotFoundException","message":"m"}' },
    );
    expect(problems(sm)).toEqual([]);
  });
});
