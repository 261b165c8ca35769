// Versioned buckets: object metadata in memory, bodies as files under the lab directory (they live as long as the lab).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsError } from '../protocol/errors.ts';
import type { ReplicationConfiguration } from './replication-types.ts';

export type ReplicationStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'REPLICA';

export interface ObjectVersion {
  key: string;
  versionId: string;
  /** Quoted MD5 hex, as S3 sends it. */
  etag: string;
  size: number;
  lastModified: Date;
  contentType: string;
  /** Absent when no enabled replication rule applied when the version was written. */
  replicationStatus?: ReplicationStatus;
}

export interface Bucket {
  name: string;
  region: string;
  versioning: 'Enabled' | 'Suspended' | undefined;
  replication: ReplicationConfiguration | undefined;
  /** key → versions, newest first. */
  readonly objects: Map<string, ObjectVersion[]>;
}

export interface BucketSeed {
  name: string;
  region: string;
  versioning?: 'Enabled' | 'Suspended';
}

/** A version body plus its metadata, as a replica carries it. */
export interface StoredObject {
  version: ObjectVersion;
  body: Buffer;
}

/** S3 version ids are 32 URL-safe characters. */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

export class S3Store {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly dir: string,
    seeds: BucketSeed[],
  ) {
    for (const seed of seeds) {
      this.#buckets.set(seed.name, {
        name: seed.name,
        region: seed.region,
        versioning: seed.versioning,
        replication: undefined,
        objects: new Map(),
      });
    }
  }

  buckets(): Bucket[] {
    return [...this.#buckets.values()];
  }

  find(name: string): Bucket | undefined {
    return this.#buckets.get(name);
  }

  bucket(name: string): Bucket {
    const bucket = this.#buckets.get(name);
    if (!bucket)
      throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: name });
    return bucket;
  }

  /** Writes a new version (or, with `replica`, the source's version under its own id). */
  async put(
    bucketName: string,
    key: string,
    body: Buffer,
    opts: { contentType?: string; replica?: ObjectVersion; replicationStatus?: ReplicationStatus } = {},
  ): Promise<ObjectVersion> {
    const bucket = this.bucket(bucketName);
    const versioned = bucket.versioning === 'Enabled';
    const version: ObjectVersion = opts.replica
      ? { ...opts.replica, replicationStatus: 'REPLICA' }
      : {
          key,
          versionId: versioned ? newVersionId() : 'null',
          etag: `"${createHash('md5').update(body).digest('hex')}"`,
          size: body.length,
          lastModified: new Date(),
          contentType: opts.contentType ?? 'binary/octet-stream',
          ...(opts.replicationStatus ? { replicationStatus: opts.replicationStatus } : {}),
        };
    await mkdir(join(this.dir, bucket.name), { recursive: true });
    await writeFile(this.#path(bucket.name, key, version.versionId), body);
    const versions = bucket.objects.get(key) ?? [];
    const kept = versions.filter((v) => v.versionId !== version.versionId);
    // A replica keeps its source's timestamp: place it by LastModified, newest first.
    kept.push(version);
    kept.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
    bucket.objects.set(key, kept);
    return version;
  }

  /** The newest version, or the given one. Throws NoSuchKey / NoSuchVersion as S3 does. */
  version(bucketName: string, key: string, versionId?: string): ObjectVersion {
    const bucket = this.bucket(bucketName);
    const versions = bucket.objects.get(key) ?? [];
    if (versionId === undefined) {
      const latest = versions[0];
      if (!latest) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
      return latest;
    }
    const found = versions.find((v) => v.versionId === versionId);
    if (!found) {
      if (!/^[A-Za-z0-9._-]+$/.test(versionId) && versionId !== 'null')
        throw s3Error('InvalidArgument', 400, 'Invalid version id specified', {
          ArgumentName: 'versionId',
          ArgumentValue: versionId,
        });
      throw s3Error('NoSuchVersion', 404, 'The specified version does not exist.', {
        Key: key,
        VersionId: versionId,
      });
    }
    return found;
  }

  async read(bucketName: string, version: ObjectVersion): Promise<Buffer> {
    return readFile(this.#path(bucketName, version.key, version.versionId));
  }

  /** Every version of the bucket: keys in binary order, newest version first within a key. */
  allVersions(bucketName: string): ObjectVersion[] {
    const bucket = this.bucket(bucketName);
    const keys = [...bucket.objects.keys()].sort(compareKeys);
    return keys.flatMap((key) => bucket.objects.get(key) ?? []);
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  #path(bucket: string, key: string, versionId: string): string {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 32);
    return join(this.dir, bucket, `${name}.${versionId}`);
  }
}

/** S3 orders keys by their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** An AwsError carrying the extra elements S3 puts in its <Error> body (Key, BucketName...). */
export class S3Error extends AwsError {
  constructor(
    code: string,
    status: number,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(code, status, message);
  }
}

export function s3Error(
  code: string,
  status: number,
  message: string,
  extra: Record<string, string> = {},
): S3Error {
  return new S3Error(code, status, message, extra);
}
