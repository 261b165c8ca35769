// IAM on the lab endpoint: query protocol, API version 2010-05-08 (IAM API reference).
import type { LabAwsService } from '../service-registry.ts';
import { IAM_NAMESPACE, IAM_VERSION, type IamSimulator } from './simulator.ts';

export function iamService(iam: IamSimulator): LabAwsService {
  return {
    name: 'iam',
    query: { version: IAM_VERSION, namespace: IAM_NAMESPACE, handle: (params) => iam.handle(params) },
  };
}
