// PutBucketReplication / GetBucketReplication bodies: parse, validate as S3 does, render back.
import {
  child,
  children,
  childText,
  el,
  escapeXml,
  node,
  parseXml,
  type XmlElement,
} from '../protocol/xml.ts';
import type { ReplicationConfiguration, ReplicationRule } from './replication-types.ts';
import { type Bucket, s3Error } from './store.ts';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const malformed = () =>
  s3Error(
    'MalformedXML',
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

function parseRule(rule: XmlElement, index: number): ReplicationRule {
  const status = childText(rule, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
  const filter = child(rule, 'Filter');
  if (filter && (child(filter, 'Tag') || child(child(filter, 'And'), 'Tag'))) {
    throw s3Error('NotImplemented', 501, 'The lab does not replicate by object tag: filter by Prefix.');
  }
  const prefix = filter
    ? (childText(filter, 'Prefix') ?? childText(child(filter, 'And'), 'Prefix') ?? '')
    : (childText(rule, 'Prefix') ?? '');
  const destination = child(rule, 'Destination');
  const arn = childText(destination, 'Bucket');
  if (!arn) throw malformed();
  const marker = childText(child(rule, 'DeleteMarkerReplication'), 'Status');
  if (filter && marker === undefined) {
    throw s3Error(
      'InvalidRequest',
      400,
      'DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema.',
    );
  }
  const priority = childText(rule, 'Priority');
  return {
    id: childText(rule, 'ID') ?? `rule-${index + 1}`,
    priority: priority === undefined ? undefined : Number(priority),
    prefix,
    filtered: filter !== undefined,
    status,
    deleteMarkerReplication: marker === 'Enabled' || marker === 'Disabled' ? marker : undefined,
    destinationBucket: arn.startsWith('arn:aws:s3:::') ? arn.slice('arn:aws:s3:::'.length) : arn,
    storageClass: childText(destination, 'StorageClass'),
  };
}

export function parseReplicationConfiguration(xml: string): ReplicationConfiguration {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    throw malformed();
  }
  if (root.name !== 'ReplicationConfiguration') throw malformed();
  const role = childText(root, 'Role');
  const rules = children(root, 'Rule').map(parseRule);
  if (!role || rules.length === 0) throw malformed();
  return { role, rules };
}

/** What S3 checks before it accepts a configuration on `source`. */
export function validateReplication(
  source: Bucket,
  config: ReplicationConfiguration,
  find: (name: string) => Bucket | undefined,
): void {
  if (source.versioning !== 'Enabled') {
    throw s3Error(
      'InvalidRequest',
      400,
      "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
    );
  }
  for (const rule of config.rules) {
    const destination = find(rule.destinationBucket);
    if (!destination) throw s3Error('InvalidRequest', 400, 'Destination bucket must exist.');
    if (destination.versioning !== 'Enabled')
      throw s3Error('InvalidRequest', 400, 'Destination bucket must have versioning enabled.');
  }
}

/** The enabled rule that replicates `key`, highest priority first (the lowest number wins ties by order). */
export function ruleFor(
  config: ReplicationConfiguration | undefined,
  key: string,
): ReplicationRule | undefined {
  const matching = (config?.rules ?? []).filter((r) => key.startsWith(r.prefix));
  const ordered = [...matching].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0));
  return ordered[0];
}

export function replicationConfigurationXml(config: ReplicationConfiguration): string {
  const rules = config.rules.map((r) =>
    node(
      'Rule',
      el('ID', r.id),
      el('Priority', r.priority),
      r.filtered ? node('Filter', el('Prefix', r.prefix)) : el('Prefix', r.prefix),
      el('Status', r.status),
      r.deleteMarkerReplication
        ? node('DeleteMarkerReplication', el('Status', r.deleteMarkerReplication))
        : '',
      node(
        'Destination',
        el('Bucket', `arn:aws:s3:::${r.destinationBucket}`),
        el('StorageClass', r.storageClass),
      ),
    ),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ReplicationConfiguration xmlns="${escapeXml(S3_NAMESPACE)}">${el('Role', config.role)}${rules.join('')}</ReplicationConfiguration>`;
}
