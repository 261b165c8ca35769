// The lab's two "regions", named as in the runbook.
export const PRIMARY_REGION = 'eu-west-1';
export const SECONDARY_REGION = 'us-east-1';
export const REGIONS = [PRIMARY_REGION, SECONDARY_REGION] as const;
export type Region = (typeof REGIONS)[number];

export function otherRegion(region: Region): Region {
  return region === PRIMARY_REGION ? SECONDARY_REGION : PRIMARY_REGION;
}

export function isRegion(value: unknown): value is Region {
  return value === PRIMARY_REGION || value === SECONDARY_REGION;
}

/** Luneo's resource names, shared by the lab and targets/lab.ts. */
export const LUNEO = {
  globalCluster: 'luneo-prod-aurora-global',
  clusters: { 'eu-west-1': 'luneo-prod-aurora-primary', 'us-east-1': 'luneo-prod-aurora-secondary' },
  eksClusters: { 'eu-west-1': 'luneo-prod-eks-primary', 'us-east-1': 'luneo-prod-eks-secondary' },
  namespace: 'luneo-platform',
  accountId: '111122223333',
  hostedZoneName: 'luneo.app.',
  apiRecordName: 'api.luneo.app.',
  secrets: { databaseUrl: 'prod/luneo/DATABASE_URL' },
  deployments: ['luneo-api', 'luneo-frontend', 'ai-worker'] as const,
  drOverridesConfigMap: 'dr-overrides',
} as const;
