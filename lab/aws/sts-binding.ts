// STS on the lab endpoint: query protocol, API version 2011-06-15 (STS API reference).
import type { AwsContext } from './context.ts';
import type { LabAwsService } from './service-registry.ts';
import { handleSts, STS_NAMESPACE } from './sts.ts';

export function stsService(ctx: AwsContext): LabAwsService {
  return {
    name: 'sts',
    query: {
      version: '2011-06-15',
      namespace: STS_NAMESPACE,
      handle: (params, request) => handleSts(ctx, params, request),
    },
  };
}
