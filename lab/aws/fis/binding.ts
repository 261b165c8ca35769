// FIS on the lab endpoint: REST-JSON (FIS API reference); running experiments are shut down with the endpoint.
import { restJsonError } from '../protocol/json.ts';
import type { LabAwsService } from '../service-registry.ts';
import type { FisService } from './service.ts';

const PATHS = /^\/(experimentTemplates|experiments|targetResourceTypes|actions|tags)(\/|$)/;

export function fisService(fis: FisService): LabAwsService {
  return {
    name: 'fis',
    rest: {
      claims: (request) => PATHS.test(request.path),
      route: (request) => ({
        label: `fis ${request.method} ${request.path}`,
        run: () => fis.handle(request),
        fail: restJsonError,
        throttleCode: 'ThrottlingException',
        throttleStatus: 429,
        auth: { family: 'rest-json', service: 'fis' },
      }),
    },
    stop: () => fis.shutdown(),
  };
}
