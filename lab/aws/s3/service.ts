// S3 over REST-XML, path-style (http://endpoint/<bucket>/<key>): the object and bucket calls the runbook uses.
import type { AwsContext, AwsReply, AwsRequest } from '../context.ts';
import { requestId } from '../protocol/errors.ts';
import { childText, el, parseXml } from '../protocol/xml.ts';
import { listObjectVersions } from './list-versions.ts';
import type { S3Replication } from './replication.ts';
import {
  parseReplicationConfiguration,
  replicationConfigurationXml,
  S3_NAMESPACE,
  validateReplication,
} from './replication-config.ts';
import { type Bucket, type ObjectVersion, type S3Store, s3Error } from './store.ts';
import { decodeBody, httpDate, pathStyle, rootElement, s3ErrorReply, s3Headers, xmlOk } from './wire.ts';

export interface S3Parts {
  store: S3Store;
  replication: S3Replication;
}

export class S3Service {
  constructor(
    private readonly ctx: AwsContext,
    private readonly parts: S3Parts,
  ) {}

  /** Errors are rendered as S3's <Error> body by `fail`. */
  async handle(request: AwsRequest): Promise<AwsReply> {
    const id = requestId();
    const { bucket: name, key } = pathStyle(request.path);
    if (!name) throw s3Error('NotImplemented', 501, 'ListBuckets is not served by the lab.');
    const bucket = this.parts.store.bucket(name);
    checkRegion(request, bucket);
    const q = request.query;
    const m = request.method;
    if (key) {
      if (m === 'PUT' && !request.headers['x-amz-copy-source'])
        return this.#putObject(id, bucket, key, request);
      if (m === 'GET' || m === 'HEAD')
        return this.#getObject(id, bucket, key, q.get('versionId'), m === 'HEAD');
    } else if (m === 'GET' && q.has('versions')) {
      return xmlOk(id, listObjectVersions(bucket, this.parts.store.allVersions(bucket.name), q));
    } else if (q.has('versioning')) {
      if (m === 'GET') return xmlOk(id, versioningXml(bucket));
      if (m === 'PUT') return this.#putVersioning(id, bucket, request);
    } else if (q.has('replication')) {
      if (m === 'GET') return xmlOk(id, replicationConfigurationXml(replicationOf(bucket)));
      if (m === 'PUT') return this.#putReplication(id, bucket, request);
      if (m === 'DELETE') {
        bucket.replication = undefined;
        this.ctx.mutated('DeleteBucketReplication');
        return { status: 204, headers: s3Headers(id), body: '' };
      }
    } else if (m === 'GET' && q.has('location')) {
      const constraint = bucket.region === 'us-east-1' ? '' : bucket.region;
      return xmlOk(id, rootElement('LocationConstraint', S3_NAMESPACE, constraint));
    } else if (m === 'HEAD') {
      return { status: 200, headers: { ...s3Headers(id), 'x-amz-bucket-region': bucket.region }, body: '' };
    }
    const what = [...q.keys()].join('&');
    throw s3Error(
      'NotImplemented',
      501,
      `The lab S3 does not serve ${m} ${request.path}${what ? `?${what}` : ''}.`,
    );
  }

  fail(error: Parameters<typeof s3ErrorReply>[0], request: AwsRequest): AwsReply {
    const id = requestId();
    const reply = s3ErrorReply(error, id, request.path);
    if (error.code === 'AuthorizationHeaderMalformed' || error.code === 'PermanentRedirect') {
      const bucket = this.parts.store.find(pathStyle(request.path).bucket);
      if (bucket) reply.headers['x-amz-bucket-region'] = bucket.region;
    }
    // HEAD answers carry no body: SDKs map the status alone (404 → NotFound).
    if (request.method === 'HEAD') reply.body = '';
    return reply;
  }

  async #putObject(id: string, bucket: Bucket, key: string, request: AwsRequest): Promise<AwsReply> {
    const body = decodeBody(request);
    const contentType = request.headers['content-type'];
    const status = this.parts.replication.statusFor(bucket.name, key);
    const version = await this.parts.store.put(bucket.name, key, body, {
      ...(contentType ? { contentType } : {}),
      ...(status ? { replicationStatus: status } : {}),
    });
    this.ctx.mutated('PutObject');
    this.parts.replication.written(bucket.name, version);
    const headers: Record<string, string> = { ...s3Headers(id), etag: version.etag };
    if (bucket.versioning === 'Enabled') headers['x-amz-version-id'] = version.versionId;
    for (const [name, value] of Object.entries(request.headers)) {
      // Echo the checksum the client sent (the SDK compares it when it asked for one).
      if (/^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/.test(name) && typeof value === 'string')
        headers[name] = value;
    }
    return { status: 200, headers, body: '' };
  }

  async #getObject(
    id: string,
    bucket: Bucket,
    key: string,
    versionId: string | null,
    head: boolean,
  ): Promise<AwsReply> {
    const version = this.parts.store.version(bucket.name, key, versionId ?? undefined);
    const headers = objectHeaders(id, bucket, version);
    if (head) return { status: 200, headers, body: '' };
    const body = await this.parts.store.read(bucket.name, version);
    return { status: 200, headers, body };
  }

  async #putVersioning(id: string, bucket: Bucket, request: AwsRequest): Promise<AwsReply> {
    const status = childText(parseXml(request.body.toString('utf8')), 'Status');
    if (status !== 'Enabled' && status !== 'Suspended')
      throw s3Error(
        'MalformedXML',
        400,
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    if (status === 'Suspended' && bucket.replication)
      throw s3Error(
        'InvalidBucketState',
        409,
        'A replication configuration is present on this bucket, so you cannot change the versioning state. To change the versioning state, first delete the replication configuration.',
      );
    bucket.versioning = status;
    this.ctx.mutated('PutBucketVersioning');
    return { status: 200, headers: s3Headers(id), body: '' };
  }

  async #putReplication(id: string, bucket: Bucket, request: AwsRequest): Promise<AwsReply> {
    const config = parseReplicationConfiguration(request.body.toString('utf8'));
    validateReplication(bucket, config, (name) => this.parts.store.find(name));
    bucket.replication = config;
    this.ctx.mutated('PutBucketReplication');
    this.ctx.log(
      `s3: replication of ${bucket.name}: ${config.rules.map((r) => `${r.id} ${r.status} → ${r.destinationBucket}`).join(', ')}`,
    );
    // Versions held while a rule was disabled move again once it is enabled.
    this.parts.replication.pump();
    return { status: 200, headers: s3Headers(id), body: '' };
  }
}

/** S3 refuses a request signed for another region than the bucket's, naming the right one. */
function checkRegion(request: AwsRequest, bucket: Bucket): void {
  const signed = Boolean(request.headers.authorization) || request.query.has('X-Amz-Credential');
  if (!signed || request.region === bucket.region) return;
  throw s3Error(
    'AuthorizationHeaderMalformed',
    400,
    `The authorization header is malformed; the region '${request.region}' is wrong; expecting '${bucket.region}'`,
    { Region: bucket.region },
  );
}

function replicationOf(bucket: Bucket) {
  if (!bucket.replication) {
    throw s3Error(
      'ReplicationConfigurationNotFoundError',
      404,
      'The replication configuration was not found',
      {
        BucketName: bucket.name,
      },
    );
  }
  return bucket.replication;
}

function versioningXml(bucket: Bucket): string {
  return rootElement('VersioningConfiguration', S3_NAMESPACE, el('Status', bucket.versioning));
}

function objectHeaders(id: string, bucket: Bucket, v: ObjectVersion): Record<string, string> {
  const headers: Record<string, string> = {
    ...s3Headers(id),
    'content-type': v.contentType,
    'content-length': String(v.size),
    etag: v.etag,
    'last-modified': httpDate(v.lastModified),
    'accept-ranges': 'bytes',
  };
  if (bucket.versioning) headers['x-amz-version-id'] = v.versionId;
  if (v.replicationStatus) headers['x-amz-replication-status'] = v.replicationStatus;
  return headers;
}
