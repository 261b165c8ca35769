// Where the runbook is wrong or misleading (see shared/reference/aws-dr-semantics.md); shown next to the steps.
import type { RunbookFinding } from '../../core/model.ts';

/** §6.1 and §6.2 say to update an app secret without saying where; in a regional outage only one place works. */
function secretRegionFinding(runbook: '§6.1' | '§6.2', secret: string): RunbookFinding {
  return {
    runbook,
    says: `Update ${secret} in Secrets Manager`,
    actually: `In which region? The secret lives in eu-west-1 and the us-east-1 pods read their region's replica. In a regional outage eu-west-1's Secrets Manager does not answer (PutSecretValue there fails), and the us-east-1 replica is read-only (InvalidParameterException) until promoted. In us-east-1: \`aws secretsmanager stop-replication-to-replica --secret-id <id> --region us-east-1\`, then \`put-secret-value\` there, then restart the pods. At switchback (§9.2) write eu-west-1 and \`replicate-secret-to-regions --add-replica-regions Region=us-east-1 --force-overwrite-replica-secret\` so us-east-1 is a replica again.`,
    severity: 'major',
  };
}

export const FINDINGS = {
  lagField: {
    runbook: '§6.1',
    says: 'Check the lag with `aws rds describe-global-clusters` (field `SecondaryWriteForwardingStatus`)',
    actually:
      'That field does not exist and DescribeGlobalClusters has no lag field. Read CloudWatch AWS/RDS AuroraGlobalDBRPOLag (ms) for the secondary cluster, and gate on its last datapoint against the RPO target.',
    severity: 'major',
  },
  lagThreshold: {
    runbook: '§6.1',
    says: 'If lag < 300 seconds, promote',
    actually:
      'Lag < 300 s accepts up to the whole RPO of data loss, and in a real outage the metric goes stale: gate on the last datapoint before the failure, and report the lost writes measured afterwards.',
    severity: 'minor',
  },
  promoteReadReplica: {
    runbook: '§6.1',
    says: '`aws rds promote-read-replica-db-cluster --db-cluster-identifier luneo-prod-aurora-secondary`',
    actually:
      'PromoteReadReplicaDBCluster applies to Aurora MySQL binlog replicas and is refused for an Aurora PostgreSQL global secondary. Use `aws rds failover-global-cluster --global-cluster-identifier luneo-prod-aurora-global --target-db-cluster-identifier <secondary ARN> --allow-data-loss` in us-east-1. The flag needs an AWS CLI whose RDS model has FailoverGlobalCluster AllowDataLoss: AWS CLI 2.9.19 (Debian 12 `awscli`) has not, and refuses it (`Unknown options: --allow-data-loss`); without the flag the call is a switchover, which a failed primary cannot complete. Check before the incident: `aws rds failover-global-cluster help | grep -- --allow-data-loss`.',
    severity: 'major',
  },
  secretEndpoint: {
    runbook: '§6.1',
    says: 'Point `DATABASE_URL` at `aws_rds_cluster.secondary.endpoint`',
    actually:
      'The global writer endpoint (GlobalCluster.Endpoint) follows failover and switchover by itself; a regional endpoint in the secret must be changed again at switchback. A replica secret in us-east-1 cannot be written until it is promoted.',
    severity: 'minor',
  },
  secretRegion: secretRegionFinding('§6.1', '`DATABASE_URL`'),
  redisSecretRegion: secretRegionFinding('§6.2', '`REDIS_URL`'),
  fencingOrder: {
    runbook: '§6.2',
    says: 'Scale ai-worker to 0 in the primary after the database promotion',
    actually:
      'Stopping primary writers is the fencing step: do it before FailoverGlobalCluster (write fencing is best effort, split brain is possible). In a regional outage the primary EKS API may be unreachable: best effort.',
    severity: 'minor',
  },
  dnsRewrite: {
    runbook: '§6.3',
    says: 'Force secondary with `aws route53 change-resource-record-sets`, turning Failover=SECONDARY into PRIMARY',
    actually:
      'Rewriting failover records depends on the Route 53 control plane (us-east-1, no SLA) and breaks the failover pair. Hold the primary health check unhealthy (UpdateHealthCheck Disabled=true and Inverted=true: a disabled check reads healthy, inverted it reads unhealthy whatever the primary shows, so traffic does not go back when eu-west-1 recovers) so the data plane fails over as designed; release both at the switchback. Inverted alone follows the endpoint: a failing primary would read healthy. Better still: ARC routing controls.',
    severity: 'major',
  },
  dnsBeforeRestart: {
    runbook: '§6.3',
    says: 'Fail DNS over to us-east-1 (§6.3), then restart luneo-api on the secondary cluster (§6.4)',
    actually:
      "Route 53 answers SECONDARY only while us-east-1 passes its own health check, and a failover record whose checks all fail is answered as if all were healthy: PRIMARY. The us-east-1 API read DATABASE_URL when it started, so until §6.4's restart its /health still reaches for the eu-west-1 writer and fails: measured on the lab, 0 of 16 checkers saw us-east-1 pass at §6.3, and users reached it only after the restart. Restart the secondary API (and worker) on the new DATABASE_URL before §6.3, or make the app re-read the secret when its database connection fails.",
    severity: 'major',
  },
  configmapOrder: {
    runbook: '§6.4',
    says: '`argo rollout restart luneo-api`, then `kubectl apply -f deploy/dr-overrides/configmap.yaml`',
    actually:
      'Pods read the configmap when they start: applied after the restart, dr_mode=true only takes effect at the next restart. Apply the configmap first, then restart.',
    severity: 'major',
  },
  workerSecret: {
    runbook: '§6.4',
    says: 'Restart luneo-api on the secondary cluster',
    actually:
      'ai-worker in us-east-1 also read DATABASE_URL at start: without a restart it keeps the old writer and render jobs stall. Restart it too.',
    severity: 'major',
  },
  switchoverThenFailover: {
    runbook: '§9.2',
    says: 'Run `switchover-global-cluster`, then reintegrate the primary with `failover-global-cluster`',
    actually:
      'Run SwitchoverGlobalCluster only, after the old primary has rejoined as a secondary; a second failover-global-cluster would lose data. The switchover also targets the wrong cluster in the runbook (secondary instead of primary).',
    severity: 'major',
  },
} satisfies Record<string, RunbookFinding>;
