// The lab account's IAM roles, with their trust policies (who may assume them): the drill role, the FIS
// experiment role (trusts fis.amazonaws.com, FIS User Guide "IAM roles for AWS FIS experiments",
// https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html) and the S3 replication
// role (trusts s3.amazonaws.com, S3 User Guide "Setting up permissions for live replication"). GetRole answers the
// trust policy URL-encoded, as IAM does (API_GetRole: "AssumeRolePolicyDocument ... URL-encoded compliant with
// RFC 3986"); UpdateAssumeRolePolicy replaces it (API_UpdateAssumeRolePolicy). Errors from the iam model.
import { AwsError, requireParam } from '../protocol/errors.ts';
import type { QueryParams } from '../protocol/query.ts';
import { el, node } from '../protocol/xml.ts';
import { DRILL_ROLE_NAME } from './drill-role.ts';

interface LabRole {
  name: string;
  id: string;
  trust: string;
  createdAt: Date;
  description: string;
}

const trustOf = (principal: Record<string, string>) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
  });

export class LabRoles {
  readonly #roles = new Map<string, LabRole>();

  constructor(
    private readonly accountId: string,
    private readonly mutated: (operation: string) => void = () => {},
  ) {
    const created = new Date();
    const add = (name: string, id: string, principal: Record<string, string>, description: string) =>
      this.#roles.set(name, { name, id, trust: trustOf(principal), createdAt: created, description });
    add(
      DRILL_ROLE_NAME,
      'AROALABDRILLROLE0000',
      { AWS: `arn:aws:iam::${accountId}:root` },
      'Runs the drills',
    );
    add(
      'luneo-fis-dr-drill',
      'AROALABFISROLE00000',
      { Service: 'fis.amazonaws.com' },
      'FIS experiments of the DR drill',
    );
    add(
      'luneo-s3-replication',
      'AROALABS3REPLROLE000',
      { Service: 's3.amazonaws.com' },
      'S3 replication to the DR bucket',
    );
  }

  handles(action: string | undefined): boolean {
    return action === 'GetRole' || action === 'UpdateAssumeRolePolicy';
  }

  handle(params: QueryParams): string {
    const name = requireParam(params.str('RoleName'), 'RoleName');
    const role = this.#roles.get(name);
    if (!role) throw new AwsError('NoSuchEntity', 404, `The role with name ${name} cannot be found.`);
    if (params.action === 'UpdateAssumeRolePolicy') {
      const document = requireParam(params.str('PolicyDocument'), 'PolicyDocument');
      let parsed: { Statement?: unknown };
      try {
        parsed = JSON.parse(document) as { Statement?: unknown };
      } catch {
        throw new AwsError('MalformedPolicyDocument', 400, 'This policy contains invalid Json');
      }
      if (!parsed || typeof parsed !== 'object' || parsed.Statement === undefined)
        throw new AwsError('MalformedPolicyDocument', 400, 'Missing required field Statement');
      role.trust = document;
      this.mutated('UpdateAssumeRolePolicy');
      return '';
    }
    return node(
      'Role',
      el('Path', '/'),
      el('RoleName', role.name),
      el('RoleId', role.id),
      el('Arn', `arn:aws:iam::${this.accountId}:role/${role.name}`),
      el('CreateDate', role.createdAt),
      el('AssumeRolePolicyDocument', encodeURIComponent(role.trust)),
      el('Description', role.description),
      el('MaxSessionDuration', 3600),
    );
  }
}
