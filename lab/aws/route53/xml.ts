// Route 53 restXml shapes: record sets and health checks to and from XML.
import { AwsError } from '../protocol/errors.ts';
import { child, children, childText, el, escapeXml, list, node, type XmlElement } from '../protocol/xml.ts';
import type { HealthCheckConfig } from './health-check-config.ts';
import type { Checker, HealthCheck } from './health-checks.ts';
import type { ChangeInfo, RecordChange, RecordSet } from './zone.ts';

export const ROUTE53_NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

export function recordXml(r: RecordSet): string {
  const alias = r.AliasTarget;
  return node(
    'ResourceRecordSet',
    el('Name', r.Name),
    el('Type', r.Type),
    el('SetIdentifier', r.SetIdentifier),
    el('Weight', r.Weight),
    el('Region', r.Region),
    el('Failover', r.Failover),
    el('TTL', r.TTL),
    r.ResourceRecords
      ? list('ResourceRecords', 'ResourceRecord', r.ResourceRecords, (v) => el('Value', v))
      : '',
    alias
      ? node(
          'AliasTarget',
          el('HostedZoneId', alias.HostedZoneId),
          el('DNSName', alias.DNSName),
          el('EvaluateTargetHealth', alias.EvaluateTargetHealth),
        )
      : '',
    el('HealthCheckId', r.HealthCheckId),
  );
}

function int(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value))
    throw new AwsError('InvalidInput', 400, `${field} must be an integer, got "${text}".`);
  return value;
}

function bool(text: string | undefined): boolean | undefined {
  return text === undefined ? undefined : text === 'true';
}

export function parseRecord(x: XmlElement): RecordSet {
  const name = childText(x, 'Name');
  const type = childText(x, 'Type');
  if (!name || !type)
    throw new AwsError('InvalidInput', 400, 'Every ResourceRecordSet needs a Name and a Type.');
  const failover = childText(x, 'Failover');
  if (failover !== undefined && failover !== 'PRIMARY' && failover !== 'SECONDARY') {
    throw new AwsError('InvalidInput', 400, `Failover must be PRIMARY or SECONDARY, got "${failover}".`);
  }
  const alias = child(x, 'AliasTarget');
  const values = children(child(x, 'ResourceRecords'), 'ResourceRecord').map(
    (r) => childText(r, 'Value') ?? '',
  );
  const record: RecordSet = { Name: name, Type: type };
  const optional: Partial<RecordSet> = {
    SetIdentifier: childText(x, 'SetIdentifier'),
    Failover: failover as RecordSet['Failover'],
    Weight: int(childText(x, 'Weight'), 'Weight'),
    Region: childText(x, 'Region'),
    TTL: int(childText(x, 'TTL'), 'TTL'),
    ResourceRecords: values.length > 0 ? values : undefined,
    AliasTarget: alias
      ? {
          HostedZoneId: (childText(alias, 'HostedZoneId') ?? '').replace(/^\/hostedzone\//, ''),
          DNSName: childText(alias, 'DNSName') ?? '',
          EvaluateTargetHealth: childText(alias, 'EvaluateTargetHealth') === 'true',
        }
      : undefined,
    HealthCheckId: childText(x, 'HealthCheckId'),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(record, { [k]: v });
  return record;
}

export function parseChangeBatch(root: XmlElement): { changes: RecordChange[]; comment: string | undefined } {
  const batch = child(root, 'ChangeBatch');
  if (!batch) throw new AwsError('InvalidInput', 400, 'ChangeResourceRecordSetsRequest needs a ChangeBatch.');
  const changes = children(child(batch, 'Changes'), 'Change').map((c): RecordChange => {
    const action = childText(c, 'Action');
    if (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT') {
      throw new AwsError(
        'InvalidInput',
        400,
        `Change Action must be CREATE, DELETE or UPSERT, got "${action}".`,
      );
    }
    const set = child(c, 'ResourceRecordSet');
    if (!set) throw new AwsError('InvalidInput', 400, 'Every Change needs a ResourceRecordSet.');
    return { Action: action, ResourceRecordSet: parseRecord(set) };
  });
  return { changes, comment: childText(batch, 'Comment') };
}

export function changeInfoXml(info: ChangeInfo): string {
  return node(
    'ChangeInfo',
    el('Id', `/change/${info.id}`),
    el('Status', info.status),
    el('SubmittedAt', info.submittedAt),
    el('Comment', info.comment),
  );
}

export function healthCheckXml(check: HealthCheck): string {
  const c = check.config;
  return node(
    'HealthCheck',
    el('Id', check.id),
    el('CallerReference', check.callerReference),
    node(
      'HealthCheckConfig',
      el('IPAddress', c.IPAddress),
      el('Port', c.Port),
      el('Type', c.Type),
      el('ResourcePath', c.ResourcePath),
      el('FullyQualifiedDomainName', c.FullyQualifiedDomainName),
      el('RequestInterval', c.RequestInterval),
      el('FailureThreshold', c.FailureThreshold),
      el('MeasureLatency', false),
      el('Inverted', c.Inverted),
      el('Disabled', c.Disabled),
      c.Regions ? list('Regions', 'Region', c.Regions, escapeXml) : '',
    ),
    el('HealthCheckVersion', check.version),
  );
}

/** The config fields present in a Create/UpdateHealthCheck body. */
export function parseHealthCheckConfig(x: XmlElement | undefined): Partial<HealthCheckConfig> {
  const fields: Partial<HealthCheckConfig> = {
    Type: childText(x, 'Type'),
    IPAddress: childText(x, 'IPAddress'),
    Port: int(childText(x, 'Port'), 'Port'),
    ResourcePath: childText(x, 'ResourcePath'),
    FullyQualifiedDomainName: childText(x, 'FullyQualifiedDomainName'),
    RequestInterval: int(childText(x, 'RequestInterval'), 'RequestInterval'),
    FailureThreshold: int(childText(x, 'FailureThreshold'), 'FailureThreshold'),
    Inverted: bool(childText(x, 'Inverted')),
    Disabled: bool(childText(x, 'Disabled')),
    Regions: child(x, 'Regions') ? children(child(x, 'Regions'), 'Region').map((r) => r.text) : undefined,
  };
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<HealthCheckConfig>;
}

/** GetHealthCheckStatus: one HealthCheckObservation per checker that has reported, its raw last result. */
export function observationXml(
  checker: Checker & { lastReport: NonNullable<Checker['lastReport']> },
): string {
  return node(
    'HealthCheckObservation',
    el('Region', checker.region),
    el('IPAddress', checker.ipAddress),
    node(
      'StatusReport',
      el('Status', checker.lastReport.status),
      el('CheckedTime', checker.lastReport.checkedAt),
    ),
  );
}
