// One hosted zone: record sets changed by transactional batches, changes PENDING until they propagate,
// and the failover answer a resolver gets from the records it can see.
import { AwsError } from '../protocol/errors.ts';

export interface RecordSet {
  Name: string;
  Type: string;
  SetIdentifier?: string;
  Failover?: 'PRIMARY' | 'SECONDARY';
  Weight?: number;
  Region?: string;
  TTL?: number;
  ResourceRecords?: string[];
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
  HealthCheckId?: string;
}

export interface RecordChange {
  Action: 'CREATE' | 'DELETE' | 'UPSERT';
  ResourceRecordSet: RecordSet;
}

export interface ChangeInfo {
  id: string;
  submittedAt: Date;
  comment: string | undefined;
  status: 'PENDING' | 'INSYNC';
}

interface PendingChange {
  info: ChangeInfo;
  insyncAt: number;
  snapshot: RecordSet[];
}

/** Lower-case with a trailing dot: how Route 53 compares names. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function key(record: RecordSet): string {
  return `${normalizeName(record.Name)}|${record.Type}|${record.SetIdentifier ?? ''}`;
}

function describeRecord(record: RecordSet): string {
  const id = record.SetIdentifier ? `, set-identifier='${record.SetIdentifier}'` : '';
  return `[name='${normalizeName(record.Name)}', type='${record.Type}'${id}]`;
}

/** Every field that makes two record sets the same, in a fixed order (DELETE must match exactly). */
function canonical(r: RecordSet): string {
  const alias = r.AliasTarget;
  return JSON.stringify([
    ...[
      r.Name,
      r.Type,
      r.SetIdentifier,
      r.Failover,
      r.Weight,
      r.Region,
      r.TTL,
      r.ResourceRecords,
      r.HealthCheckId,
    ],
    alias ? [alias.HostedZoneId, normalizeName(alias.DNSName), alias.EvaluateTargetHealth] : null,
  ]);
}

function sortKey(record: RecordSet): string {
  return `${normalizeName(record.Name).split('.').reverse().join('.')}|${record.Type}|${record.SetIdentifier ?? ''}`;
}

export class HostedZone {
  readonly id: string;
  readonly name: string;
  readonly callerReference: string;
  private records: RecordSet[];
  /** What resolvers see: records as of the last change that finished propagating. */
  private published: RecordSet[];
  private readonly pending: PendingChange[] = [];
  private readonly changes = new Map<string, PendingChange>();
  private readonly propagationMs: number;
  private readonly healthCheckExists: (id: string) => boolean;

  constructor(opts: {
    id: string;
    name: string;
    records: RecordSet[];
    propagationMs: number;
    healthCheckExists: (id: string) => boolean;
  }) {
    this.id = opts.id;
    this.name = normalizeName(opts.name);
    this.callerReference = `lab-${this.name}`;
    this.records = opts.records.map((r) => ({ ...r, Name: normalizeName(r.Name) }));
    this.published = this.records;
    this.propagationMs = opts.propagationMs;
    this.healthCheckExists = opts.healthCheckExists;
  }

  list(): RecordSet[] {
    return [...this.records].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  }

  /** ChangeResourceRecordSets: all changes apply or none (InvalidChangeBatch lists every problem). */
  change(changes: RecordChange[], comment: string | undefined): ChangeInfo {
    if (changes.length === 0)
      throw new AwsError('InvalidChangeBatch', 400, 'The change batch contains no changes.');
    const next = new Map(this.records.map((r) => [key(r), r]));
    const problems: string[] = [];
    for (const { Action, ResourceRecordSet: raw } of changes) {
      const record = { ...raw, Name: normalizeName(raw.Name) };
      problems.push(...this.validate(record));
      const existing = next.get(key(record));
      if (Action === 'CREATE' && existing) {
        problems.push(`Tried to create resource record set ${describeRecord(record)} but it already exists`);
      } else if (Action === 'DELETE' && !existing) {
        problems.push(`Tried to delete resource record set ${describeRecord(record)} but it was not found`);
      } else if (Action === 'DELETE' && existing && canonical(existing) !== canonical(record)) {
        problems.push(
          `Tried to delete resource record set ${describeRecord(record)} but the values provided do not match the current values`,
        );
      }
      if (Action === 'DELETE') next.delete(key(record));
      else next.set(key(record), record);
    }
    for (const record of next.values()) {
      if (record.Type !== 'CNAME') continue;
      const clash = [...next.values()].find((r) => r.Name === record.Name && r.Type !== 'CNAME');
      if (clash) {
        problems.push(
          `RRSet of type CNAME with DNS name ${record.Name} is not permitted as it conflicts with other records with the same DNS name in zone ${this.name}`,
        );
      }
    }
    if (problems.length > 0)
      throw new AwsError('InvalidChangeBatch', 400, problems.map((p) => `[${p}]`).join(', '));
    this.records = [...next.values()];
    const info: ChangeInfo = { id: `C${randomId(13)}`, submittedAt: new Date(), comment, status: 'PENDING' };
    const change: PendingChange = { info, insyncAt: Date.now() + this.propagationMs, snapshot: this.records };
    this.pending.push(change);
    this.changes.set(info.id, change);
    this.settle();
    return { ...info };
  }

  getChange(id: string): ChangeInfo | undefined {
    this.settle();
    const change = this.changes.get(id);
    return change ? { ...change.info } : undefined;
  }

  /** Records as resolvers see them now. */
  servingRecords(): RecordSet[] {
    this.settle();
    return this.published;
  }

  private settle(): void {
    const now = Date.now();
    while (this.pending.length > 0 && (this.pending[0] as PendingChange).insyncAt <= now) {
      const change = this.pending.shift() as PendingChange;
      change.info.status = 'INSYNC';
      this.published = change.snapshot;
    }
  }

  private validate(record: RecordSet): string[] {
    const problems: string[] = [];
    if (record.Name !== this.name && !record.Name.endsWith(`.${this.name}`)) {
      problems.push(`RRSet with DNS name ${record.Name} is not permitted in zone ${this.name}`);
    }
    if (!record.AliasTarget && (record.TTL === undefined || !record.ResourceRecords?.length)) {
      problems.push(
        `Invalid Resource Record: ${describeRecord(record)} needs a TTL and ResourceRecords, or an AliasTarget`,
      );
    }
    if ((record.Failover || record.Weight !== undefined || record.Region) && !record.SetIdentifier) {
      problems.push(`Invalid request: ${describeRecord(record)} with a routing policy needs a SetIdentifier`);
    }
    if (record.HealthCheckId && !this.healthCheckExists(record.HealthCheckId)) {
      problems.push(`The health check with id ${record.HealthCheckId} does not exist`);
    }
    return problems;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}
