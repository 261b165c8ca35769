// The read-only JSON 1.1 services the drill's preflight asks: Service Quotas (X-Amz-Target ServiceQuotasV20190624.*)
// and the Resource Groups Tagging API (ResourceGroupsTaggingAPI_20170126.*).
import type { AwsLabBackend } from './backend.ts';
import { awsJsonError } from './protocol/json.ts';
import { SERVICE_QUOTAS_TARGET, type ServiceQuotas } from './service-quotas.ts';
import { JSON_11, type LabAwsService } from './service-registry.ts';
import { handleTagging, TAGGING_TARGET } from './tagging.ts';

const readOnlyJson = (targetPrefix: string, handle: NonNullable<LabAwsService['json']>['handle']) => ({
  targetPrefix,
  contentType: JSON_11,
  fail: (e: Parameters<typeof awsJsonError>[0]) => awsJsonError(e, JSON_11),
  throttleCode: 'ThrottlingException',
  handle,
});

export function serviceQuotasService(quotas: ServiceQuotas): LabAwsService {
  return {
    name: 'servicequotas',
    json: readOnlyJson(SERVICE_QUOTAS_TARGET, (operation, input, request) =>
      quotas.handle(operation, input, request.region),
    ),
  };
}

export function taggingService(backend: AwsLabBackend): LabAwsService {
  return {
    name: 'tagging',
    json: readOnlyJson(TAGGING_TARGET, (operation, input, request) =>
      handleTagging(operation, input, request.region, backend.resources()),
    ),
  };
}
