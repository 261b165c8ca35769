// ElastiCache on the lab endpoint: query protocol, API version 2015-02-02 (ElastiCache API reference). Without the
// lab's Redis pair as a Global Datastore its calls are invalid actions.
import type { LabAwsService } from '../service-registry.ts';
import type { GlobalDatastore } from './global-datastore.ts';
import { ELASTICACHE_NAMESPACE, ELASTICACHE_VERSION, handleElastiCache } from './handlers.ts';

export function elastiCacheService(datastore: GlobalDatastore | undefined): LabAwsService {
  return {
    name: 'elasticache',
    query: {
      version: ELASTICACHE_VERSION,
      namespace: ELASTICACHE_NAMESPACE,
      ...(datastore
        ? { handle: (params, request) => handleElastiCache(datastore, params, request.region) }
        : {}),
    },
  };
}
