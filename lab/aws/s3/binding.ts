// S3 on the lab endpoint: REST-XML, recognised by its signing scope before any other route, because its paths are
// bucket names, which may look like any other service's route.
import type { LabAwsService } from '../service-registry.ts';
import type { S3Service } from './service.ts';

export function s3Service(s3: S3Service): LabAwsService {
  return {
    name: 's3',
    rest: {
      first: true,
      claims: (request) => request.signingService === 's3',
      route: (request) => ({
        label: `s3 ${request.method} ${request.path}${request.query.size ? `?${[...request.query.keys()].join('&')}` : ''}`,
        run: () => s3.handle(request),
        fail: (e) => s3.fail(e, request),
        throttleCode: 'SlowDown',
        throttleStatus: 503,
        auth: { family: 's3', service: 's3' },
      }),
    },
  };
}
