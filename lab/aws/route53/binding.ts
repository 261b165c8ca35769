// Route 53 on the lab endpoint: REST-XML under /2013-04-01/ (Route 53 API reference); its health checkers run in
// the background while the endpoint is up.
import { requestId } from '../protocol/errors.ts';
import { queryError } from '../protocol/query.ts';
import { type LabAwsService, xmlReply } from '../service-registry.ts';
import type { Route53Service } from './service.ts';

const NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

export function route53Service(route53: Route53Service): LabAwsService {
  return {
    name: 'route53',
    rest: {
      claims: (request) => request.path.startsWith('/2013-04-01/'),
      route: (request) => ({
        label: `route53 ${request.method} ${request.path}`,
        run: () => route53.handle(request),
        fail: (e) => xmlReply(queryError(e, NAMESPACE, requestId()), ''),
        throttleCode: 'Throttling',
        auth: { family: 'rest-xml', service: 'route53' },
      }),
    },
    start: () => route53.start(),
    stop: () => route53.stop(),
  };
}
