// RDS on the lab endpoint: query protocol, API version 2014-10-31 (RDS API reference).
import type { AwsContext } from '../context.ts';
import type { LabAwsService } from '../service-registry.ts';
import type { GlobalCluster } from './global-cluster.ts';
import { handleRds, RDS_NAMESPACE } from './handlers.ts';

export function rdsService(ctx: AwsContext, global: GlobalCluster): LabAwsService {
  return {
    name: 'rds',
    query: {
      version: '2014-10-31',
      namespace: RDS_NAMESPACE,
      handle: (params, request) => handleRds(ctx, global, params, request.region),
    },
  };
}
