// Luneo's ElastiCache names, shared by the lab and targets/lab.ts (AWS prefixes a Global Datastore id with five letters).
import type { Region } from '../regions.ts';

export const LUNEO_CACHE = {
  globalReplicationGroupId: 'ldgnf-luneo-prod-redis',
  replicationGroups: {
    'eu-west-1': 'luneo-prod-redis-primary',
    'us-east-1': 'luneo-prod-redis-secondary',
  } as Record<Region, string>,
  redisUrlSecret: 'prod/luneo/REDIS_URL',
} as const;
