// Regenerates lab/aws/conformance/models/*.json: the AWS service models (botocore's service-2.json, the
// files the AWS CLI and boto3 are built from) trimmed to the operations the lab serves and the shapes they
// reach, documentation removed. Run: node --import tsx lab/aws/conformance/extract-models.ts <botocore/data dir>
// Why botocore and not the aws-sdk v2 npm package: its apis/*.min.json drop enums, patterns, min/max and the
// errors each operation declares, which is what the conformance check must read (see models.test.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Each service the lab serves: its model directory and the operations its handlers answer. */
export const SERVED: Record<string, { model: string; operations: string[] }> = {
  rds: {
    model: 'rds/2014-10-31',
    operations: [
      'DescribeGlobalClusters',
      'DescribeDBClusters',
      'FailoverGlobalCluster',
      'SwitchoverGlobalCluster',
      'PromoteReadReplicaDBCluster',
      'FailoverDBCluster',
    ],
  },
  route53: {
    model: 'route53/2013-04-01',
    operations: [
      'ListHostedZones',
      'ListHostedZonesByName',
      'GetHostedZone',
      'ListResourceRecordSets',
      'ChangeResourceRecordSets',
      'GetChange',
      'GetHealthCheckCount',
      'CreateHealthCheck',
      'ListHealthChecks',
      'GetHealthCheck',
      'UpdateHealthCheck',
      'DeleteHealthCheck',
      'GetHealthCheckStatus',
      'TestDNSAnswer',
    ],
  },
  fis: {
    model: 'fis/2020-12-01',
    operations: [
      'CreateExperimentTemplate',
      'ListExperimentTemplates',
      'GetExperimentTemplate',
      'DeleteExperimentTemplate',
      'StartExperiment',
      'ListExperiments',
      'GetExperiment',
      'StopExperiment',
      'ListExperimentResolvedTargets',
      'ListActions',
      'ListTargetResourceTypes',
      'ListTagsForResource',
      'TagResource',
      'UntagResource',
    ],
  },
  secretsmanager: {
    model: 'secretsmanager/2017-10-17',
    operations: [
      'GetSecretValue',
      'PutSecretValue',
      'CreateSecret',
      'DescribeSecret',
      'ListSecrets',
      'StopReplicationToReplica',
      'ReplicateSecretToRegions',
    ],
  },
  cloudwatch: {
    model: 'cloudwatch/2010-08-01',
    operations: ['DescribeAlarms', 'SetAlarmState', 'GetMetricData', 'GetMetricStatistics', 'ListMetrics'],
  },
  sts: { model: 'sts/2011-06-15', operations: ['GetCallerIdentity'] },
  iam: { model: 'iam/2010-05-08', operations: ['SimulatePrincipalPolicy'] },
  elasticache: {
    model: 'elasticache/2015-02-02',
    operations: [
      'DescribeGlobalReplicationGroups',
      'DescribeReplicationGroups',
      'FailoverGlobalReplicationGroup',
    ],
  },
  s3: {
    model: 's3/2006-03-01',
    operations: [
      'PutObject',
      'GetObject',
      'HeadObject',
      'ListObjectVersions',
      'GetBucketVersioning',
      'PutBucketVersioning',
      'GetBucketReplication',
      'PutBucketReplication',
      'DeleteBucketReplication',
      'GetBucketLocation',
      'HeadBucket',
    ],
  },
};

type Json = { [key: string]: unknown };
const DROPPED = new Set(['documentation', 'documentationUrl', 'deprecatedMessage', 'examples']);

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !DROPPED.has(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  return value;
}

function reach(shapes: Record<string, Json>, name: string, seen: Set<string>): void {
  if (seen.has(name)) return;
  seen.add(name);
  const shape = shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the model`);
  const refs: unknown[] = [
    ...Object.values((shape.members as Record<string, Json> | undefined) ?? {}),
    shape.member,
    shape.key,
    shape.value,
  ];
  for (const ref of refs)
    if (ref && typeof ref === 'object') reach(shapes, (ref as Json).shape as string, seen);
}

function extract(dataDir: string, model: string, operations: string[], source: string): Json {
  const full = JSON.parse(gunzipSync(readFileSync(join(dataDir, model, 'service-2.json.gz'))).toString()) as {
    metadata: Json;
    operations: Record<string, Json>;
    shapes: Record<string, Json>;
  };
  const seen = new Set<string>();
  const ops: Record<string, unknown> = {};
  for (const name of operations) {
    const op = full.operations[name];
    if (!op) throw new Error(`${model}: no operation ${name}`);
    ops[name] = strip(op);
    for (const ref of [op.input, op.output, ...((op.errors as Json[] | undefined) ?? [])])
      if (ref) reach(full.shapes, (ref as Json).shape as string, seen);
  }
  const shapes = Object.fromEntries([...seen].sort().map((name) => [name, strip(full.shapes[name])]));
  return { source, metadata: strip(full.metadata), operations: ops, shapes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: extract-models.ts <botocore/data directory>');
  const version = /__version__ = '([^']+)'/.exec(
    readFileSync(join(dataDir, '..', '__init__.py'), 'utf8'),
  )?.[1];
  const out = join(dirname(fileURLToPath(import.meta.url)), 'models');
  for (const [service, { model, operations }] of Object.entries(SERVED))
    writeFileSync(
      join(out, `${service}.json`),
      `${JSON.stringify(extract(dataDir, model, operations, `botocore ${version} data/${model}/service-2.json`))}\n`,
    );
  // Committed as biome formats them, so a regeneration diffs only where the models changed.
  spawnSync('npx', ['biome', 'format', '--write', out], { stdio: 'inherit' });
}
