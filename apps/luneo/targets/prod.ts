// Luneo production, as the runbook names it. Live target: guarded (--execute, account allow-list, regions,
// contexts, the drill lock in Secrets Manager, an abort alarm).

import { defineTarget } from '../../../core/model.ts';
import type { LuneoResources } from '../resources.ts';
import { luneoSafety } from '../safety/luneo.ts';

// The account id and zone id are Luneo's to fill in from their Terraform outputs
// (infrastructure/terraform/aws-multi-region); the drill refuses to run while they are placeholders.
const ACCOUNT_ID = process.env.LUNEO_PROD_ACCOUNT_ID ?? '000000000000';
// Settings from the environment that a drill cannot run without: unset, the drill refuses and a dry run says so.
const ZONE = {
  name: 'LUNEO_PROD_ZONE_ID',
  setTo:
    'the Route 53 hosted zone id of luneo.app. (aws route53 list-hosted-zones-by-name --dns-name luneo.app)',
};
const WEBHOOK_SECRETS = {
  name: 'LUNEO_ECOMMERCE_WEBHOOK_SECRETS',
  setTo: '{"shopify": "<app secret>", "woocommerce": "<webhook secret>"} of the sandbox shops',
  neededBy: 'ecommerce-webhooks',
};
const ZONE_ID = process.env[ZONE.name];

export default defineTarget<LuneoResources>({
  name: 'prod',
  description: 'Luneo production: eu-west-1 primary, us-east-1 DR (runbook RUNBOOK_DR_MULTI_REGION.md)',
  kind: 'live',
  aws: { regions: ['eu-west-1', 'us-east-1'], accountIds: [ACCOUNT_ID] },
  kube: {
    contexts: {
      'eu-west-1': `arn:aws:eks:eu-west-1:${ACCOUNT_ID}:cluster/luneo-prod-eks-primary`,
      'us-east-1': `arn:aws:eks:us-east-1:${ACCOUNT_ID}:cluster/luneo-prod-eks-secondary`,
    },
  },
  objectives: { rto: '30m', rpo: '5m', stableFor: '2m', availabilitySlo: 0.999 },
  safety: luneoSafety({
    accountIdFrom: 'LUNEO_PROD_ACCOUNT_ID',
    requiredEnv: [ZONE, WEBHOOK_SECRETS],
    // The customer-facing alarm that is also the FIS stop condition (fis.stopConditionAlarmArn below),
    // distinct from the §4 outage alarms the drill expects to fire (resources.alarms).
    abortAlarms: [{ name: 'luneo-prod-dr-abort', region: 'eu-west-1' }],
    abortAlarmGrace: '2m',
    checkEvery: '15s',
  }),
  resources: {
    globalClusterId: 'luneo-prod-aurora-global',
    primary: {
      region: 'eu-west-1',
      clusterId: 'luneo-prod-aurora-primary',
      kubeContext: `arn:aws:eks:eu-west-1:${ACCOUNT_ID}:cluster/luneo-prod-eks-primary`,
    },
    secondary: {
      region: 'us-east-1',
      clusterId: 'luneo-prod-aurora-secondary',
      kubeContext: `arn:aws:eks:us-east-1:${ACCOUNT_ID}:cluster/luneo-prod-eks-secondary`,
    },
    hostedZone: { name: 'luneo.app.', ...(ZONE_ID ? { id: ZONE_ID } : {}) },
    apiRecord: 'api.luneo.app.',
    s3: { primaryBucket: 'luneo-prod-artifacts', drBucket: 'luneo-prod-artifacts-dr' },
    cache: {
      globalReplicationGroupId: 'ldgnf-luneo-prod-redis',
      replicationGroups: { primary: 'luneo-prod-redis-primary', secondary: 'luneo-prod-redis-secondary' },
    },
    secrets: { databaseUrl: 'prod/luneo/DATABASE_URL', redisUrl: 'prod/luneo/REDIS_URL' },
    kube: { namespace: 'luneo-platform', drOverridesConfigMap: 'dr-overrides' },
    deployments: { api: 'luneo-api', worker: 'ai-worker', frontend: 'luneo-frontend' },
    publicUrl: 'https://api.luneo.app',
    // Each alarm where its metric is published: CloudWatch is regional, and DescribeAlarms elsewhere finds nothing.
    alarms: {
      // AuroraGlobalDBRPOLag is published by the secondary cluster, in the secondary's region.
      replicationLag: { name: 'luneo-prod-aurora-replication-lag', region: 'us-east-1' },
      // AWS/ApplicationELB metrics of the primary load balancer, in its region.
      alb5xx: { name: 'luneo-prod-alb-5xx', region: 'eu-west-1' },
      // Route 53 health-check metrics (and alarms on them) exist in us-east-1 only.
      route53HealthCheck: { name: 'luneo-prod-route53-healthcheck', region: 'us-east-1' },
      // S3 replication metrics (ReplicationLatency) are reported for the source bucket, in its region.
      s3ReplicationLatency: { name: 'luneo-prod-s3-replication-latency', region: 'eu-west-1' },
    },
    fis: {
      roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/luneo-fis-dr-drill`,
      databaseSubnetTags: { DisruptSubnet: 'Allowed', Tier: 'database' },
      regionSubnetTags: { DisruptSubnet: 'Allowed' },
      stopConditionAlarmArn: `arn:aws:cloudwatch:eu-west-1:${ACCOUNT_ID}:alarm:luneo-prod-dr-abort`,
    },
    // §7: bound from the environment of whoever runs the drill; unset → the comms steps skip and say which to set.
    comms: {
      chatWebhookUrl: { env: 'LUNEO_CHAT_WEBHOOK_URL' },
      statuspage: {
        apiUrl: 'https://api.statuspage.io',
        pageId: process.env.LUNEO_STATUSPAGE_PAGE_ID ?? '',
        apiKey: { env: 'LUNEO_STATUSPAGE_API_KEY' },
        componentIds: (process.env.LUNEO_STATUSPAGE_COMPONENT_IDS ?? '').split(',').filter(Boolean),
      },
      setup:
        'set LUNEO_CHAT_WEBHOOK_URL, LUNEO_STATUSPAGE_PAGE_ID, LUNEO_STATUSPAGE_API_KEY (and LUNEO_STATUSPAGE_COMPONENT_IDS)',
    },
    // §10: the sandbox shops' signing secrets, as a JSON {"shopify", "woocommerce"} secret.
    business: {
      webhookSecrets: { env: WEBHOOK_SECRETS.name },
      setup: `set ${WEBHOOK_SECRETS.name} to ${WEBHOOK_SECRETS.setTo}`,
    },
  },
});
