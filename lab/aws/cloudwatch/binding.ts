// CloudWatch on the lab endpoint (signing name monitoring): the query protocol (API version 2010-08-01) and the
// JSON 1.0 protocol newer SDKs use (X-Amz-Target GraniteServiceVersion20100801.*, query-compatible errors).
import { awsJsonError } from '../protocol/json.ts';
import { queryToObject, toJsonWire, toQueryXml } from '../protocol/shapes.ts';
import { JSON_10, type LabAwsService } from '../service-registry.ts';
import type { CloudWatchService } from './service.ts';

export function cloudWatchService(cloudwatch: CloudWatchService, metricsIntervalMs: number): LabAwsService {
  return {
    name: 'monitoring',
    query: {
      version: '2010-08-01',
      namespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
      handle: (params, request) =>
        toQueryXml(cloudwatch.handle(params.action ?? '', queryToObject(params.values), request.region)),
    },
    json: {
      targetPrefix: 'GraniteServiceVersion20100801',
      contentType: JSON_10,
      fail: (e) =>
        awsJsonError(e, JSON_10, { typePrefix: 'com.amazonaws.cloudwatch#', queryCompatible: true }),
      throttleCode: 'Throttling',
      handle: (operation, input, request) => toJsonWire(cloudwatch.handle(operation, input, request.region)),
    },
    start: () => cloudwatch.start(metricsIntervalMs),
    stop: () => cloudwatch.stop(),
  };
}
