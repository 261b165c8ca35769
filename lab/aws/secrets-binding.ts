// Secrets Manager on the lab endpoint: JSON 1.1 protocol (X-Amz-Target secretsmanager.*).
import { awsJsonError } from './protocol/json.ts';
import type { SecretsService } from './secrets.ts';
import { JSON_11, type LabAwsService } from './service-registry.ts';

export function secretsManagerService(secrets: SecretsService): LabAwsService {
  return {
    name: 'secretsmanager',
    json: {
      targetPrefix: 'secretsmanager',
      contentType: JSON_11,
      fail: (e) => awsJsonError(e, JSON_11),
      throttleCode: 'ThrottlingException',
      handle: (operation, input, request) => secrets.handle(operation, input, request.region),
    },
  };
}
