// The embedded lab (`pnpm lab up`): the default target. Endpoints and the ids the lab draws at boot come from
// <dir>/lab.json when a run connects (labConnection); no action reads it.

import { defineTarget } from '../../../core/model.ts';
import { labConnection, prepareLab, prepareLabAhead } from '../../../targets/lab-session.ts';
import type { LuneoResources } from '../resources.ts';
import { luneoSafety } from '../safety/luneo.ts';

const dir = process.env.LAB_DIR ?? '.lab';

export default defineTarget<LuneoResources>({
  name: 'lab',
  description: 'Embedded two-region Luneo platform on this machine (simulation: not compliance evidence)',
  kind: 'lab',
  aws: { regions: ['eu-west-1', 'us-east-1'], accountIds: ['111122223333'] },
  kube: { contexts: { 'eu-west-1': 'luneo-prod-eks-primary', 'us-east-1': 'luneo-prod-eks-secondary' } },
  objectives: { rto: '30m', rpo: '5m', stableFor: '5s', availabilitySlo: 0.999 },
  resources: {
    globalClusterId: 'luneo-prod-aurora-global',
    primary: {
      region: 'eu-west-1',
      clusterId: 'luneo-prod-aurora-primary',
      kubeContext: 'luneo-prod-eks-primary',
    },
    secondary: {
      region: 'us-east-1',
      clusterId: 'luneo-prod-aurora-secondary',
      kubeContext: 'luneo-prod-eks-secondary',
    },
    hostedZone: { name: 'luneo.app.' },
    apiRecord: 'api.luneo.app.',
    s3: { primaryBucket: 'luneo-prod-artifacts', drBucket: 'luneo-prod-artifacts-dr' },
    cache: {
      globalReplicationGroupId: 'ldgnf-luneo-prod-redis',
      replicationGroups: { primary: 'luneo-prod-redis-primary', secondary: 'luneo-prod-redis-secondary' },
    },
    secrets: { databaseUrl: 'prod/luneo/DATABASE_URL', redisUrl: 'prod/luneo/REDIS_URL' },
    kube: { namespace: 'luneo-platform', drOverridesConfigMap: 'dr-overrides' },
    deployments: { api: 'luneo-api', worker: 'ai-worker', frontend: 'luneo-frontend' },
    publicUrl: 'lab:public-url',
    // Each alarm where its metric is published (the lab's CloudWatch is regional, as AWS's).
    alarms: {
      // AuroraGlobalDBRPOLag is published by the secondary cluster, in the secondary's region.
      replicationLag: { name: 'luneo-prod-aurora-replication-lag', region: 'us-east-1' },
      // The primary load balancer's metrics, in its region.
      alb5xx: { name: 'luneo-prod-alb-5xx', region: 'eu-west-1' },
      // Route 53 health-check metrics exist in us-east-1 only.
      route53HealthCheck: { name: 'luneo-prod-route53-healthcheck', region: 'us-east-1' },
    },
    fis: {
      roleArn: 'arn:aws:iam::111122223333:role/luneo-fis-dr-drill',
      databaseSubnetTags: { Tier: 'database', Region: 'eu-west-1' },
      regionSubnetTags: { Region: 'eu-west-1', DisruptSubnet: 'Allowed' },
    },
    // The lab's comms endpoints and secrets (lab/comms/luneo.ts): drawn per lab, read from its Secrets Manager.
    comms: {
      chatWebhookUrl: { secretId: 'prod/luneo/SLACK_INCIDENT_WEBHOOK_URL' },
      statuspage: {
        apiUrl: 'lab:comms',
        pageId: 'luneostatus',
        apiKey: { secretId: 'prod/luneo/STATUSPAGE_API_KEY' },
        componentIds: ['luneo-api'],
      },
    },
    business: { webhookSecrets: { secretId: 'prod/luneo/ECOMMERCE_WEBHOOK_SECRETS' } },
    lab: { dir },
  },
  // Guardrails and gates through the lab's own STS, FIS, CloudWatch and Secrets Manager (the drill lock).
  safety: luneoSafety(),
  connect: ({ resources }) => labConnection(resources.lab?.dir ?? dir, resources),
  prepare: ({ log }) => prepareLab(dir, log),
  prepareAhead: ({ log, runId }) => prepareLabAhead(dir, log, runId),
});
