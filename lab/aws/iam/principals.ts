// Who a signed request comes from: AWS knows the caller by the access key that signed it (SigV4 credential scope;
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html). The lab has two:
// the workload key its app pods sign with (their own role, as an EKS pod's IRSA role would be) and every other key,
// which is the drill role (lab/aws/iam/drill-role.ts), as the lab always answered.
import type { AwsRequest } from '../context.ts';
import { DRILL_ROLE_NAME, drillCallerIdentity, drillRoleArn } from './drill-role.ts';

export const WORKLOAD_ROLE_NAME = 'luneo-workload';
const WORKLOAD_ROLE_ID = 'AROALABWORKLOADROLE0';
const WORKLOAD_SESSION_NAME = 'luneo-api';

/** The static key the lab's pods sign with (lab/lab.ts hands it to every pod). */
export const WORKLOAD_CREDENTIALS = {
  accessKeyId: 'AKIALABWORKLOAD00000',
  secretAccessKey: 'lab-workload-secret-key',
} as const;

export interface LabPrincipal {
  /** The role the session is of. */
  roleName: string;
  roleArn: string;
  /** What STS GetCallerIdentity answers, and what an AccessDenied message names. */
  arn: string;
  userId: string;
  account: string;
}

export function principalOf(accessKeyId: string | undefined, accountId: string): LabPrincipal {
  if (accessKeyId === WORKLOAD_CREDENTIALS.accessKeyId) {
    return {
      roleName: WORKLOAD_ROLE_NAME,
      roleArn: `arn:aws:iam::${accountId}:role/${WORKLOAD_ROLE_NAME}`,
      arn: `arn:aws:sts::${accountId}:assumed-role/${WORKLOAD_ROLE_NAME}/${WORKLOAD_SESSION_NAME}`,
      userId: `${WORKLOAD_ROLE_ID}:${WORKLOAD_SESSION_NAME}`,
      account: accountId,
    };
  }
  const drill = drillCallerIdentity(accountId);
  return { roleName: DRILL_ROLE_NAME, roleArn: drillRoleArn(accountId), ...drill };
}

/** The access key id of a SigV4-signed request (Authorization header, or X-Amz-Credential of a presigned URL). */
export function accessKeyOf(request: Pick<AwsRequest, 'headers' | 'query'>): string | undefined {
  const auth = request.headers.authorization;
  const text = Array.isArray(auth) ? auth[0] : auth;
  const fromHeader = text ? /Credential=([^/,\s]+)\//.exec(text)?.[1] : undefined;
  return fromHeader ?? request.query.get('X-Amz-Credential')?.split('/')[0];
}
