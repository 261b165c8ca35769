// Luneo production, as the runbook names it. Live target: guarded (--execute, account allow-list, contexts).

import type { LuneoResources } from '../actions/luneo/resources.ts';
import { defineTarget } from '../core/model.ts';

// The account id and zone id are Luneo's to fill in from their Terraform outputs
// (infrastructure/terraform/aws-multi-region); the drill refuses to run while they are placeholders.
const ACCOUNT_ID = process.env.LUNEO_PROD_ACCOUNT_ID ?? '000000000000';
const ZONE_ID = process.env.LUNEO_PROD_ZONE_ID;

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
    secrets: { databaseUrl: 'prod/luneo/DATABASE_URL' },
    kube: { namespace: 'luneo-platform', drOverridesConfigMap: 'dr-overrides' },
    deployments: { api: 'luneo-api', worker: 'ai-worker', frontend: 'luneo-frontend' },
    publicUrl: 'https://api.luneo.app',
    alarms: {
      replicationLag: 'luneo-prod-aurora-replication-lag',
      alb5xx: 'luneo-prod-alb-5xx',
      route53HealthCheck: 'luneo-prod-route53-healthcheck',
      s3ReplicationLatency: 'luneo-prod-s3-replication-latency',
    },
    fis: {
      roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/luneo-fis-dr-drill`,
      databaseSubnetTags: { DisruptSubnet: 'Allowed', Tier: 'database' },
      regionSubnetTags: { DisruptSubnet: 'Allowed' },
      stopConditionAlarmArn: `arn:aws:cloudwatch:eu-west-1:${ACCOUNT_ID}:alarm:luneo-prod-dr-abort`,
    },
  },
});
