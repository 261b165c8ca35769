// S3: object versions (paginated), one object put, and the bucket's replication configuration. Path-style
// addressing when an explicit endpoint is configured (the lab), virtual-hosted on AWS.

import {
  GetBucketReplicationCommand,
  ListObjectVersionsCommand,
  PutBucketReplicationCommand,
  PutObjectCommand,
  type ReplicationConfiguration,
  S3Client,
} from '@aws-sdk/client-s3';
import type { PlannedCall } from '../../core/model.ts';
import type { CallOptions } from '../abort.ts';
import { AwsCaller } from './call.ts';
import { type AwsClientConfig, type AwsWrapperOptions, sdkClientOptions } from './config.ts';

export type { ReplicationConfiguration } from '@aws-sdk/client-s3';

export interface ObjectVersionInfo {
  key: string;
  versionId: string;
  size: number;
  lastModified: Date | undefined;
  isLatest: boolean;
}

export function s3Client(config: AwsClientConfig, region: string): S3Client {
  return new S3Client({ ...sdkClientOptions(config, region), forcePathStyle: Boolean(config.endpoint) });
}

export function planPutBucketReplication(region: string, bucket: string, status: string): PlannedCall {
  return {
    service: 's3',
    operation: 'PutBucketReplication',
    scope: region,
    params: { Bucket: bucket, RuleStatus: status },
    mutating: true,
  };
}

export class S3 {
  readonly caller: AwsCaller;
  constructor(
    readonly client: S3Client,
    readonly region: string,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('s3', region, opts.audit, opts.retry);
  }

  /** Every version under `prefix`, following NextKeyMarker / NextVersionIdMarker. */
  async listAllVersions(
    bucket: string,
    opts: CallOptions & { prefix?: string } = {},
  ): Promise<ObjectVersionInfo[]> {
    const out: ObjectVersionInfo[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await this.caller.send(
        'ListObjectVersions',
        { kind: 'bucket', id: bucket },
        (abortSignal) =>
          this.client.send(
            new ListObjectVersionsCommand({
              Bucket: bucket,
              ...(opts.prefix ? { Prefix: opts.prefix } : {}),
              ...(keyMarker ? { KeyMarker: keyMarker } : {}),
              ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}),
            }),
            { abortSignal },
          ),
        opts,
      );
      for (const v of page.Versions ?? []) {
        out.push({
          key: v.Key ?? '',
          versionId: v.VersionId ?? 'null',
          size: v.Size ?? 0,
          lastModified: v.LastModified,
          isLatest: v.IsLatest ?? false,
        });
      }
      if (!page.IsTruncated) return out;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  }

  /** Not audited: the artifact writer's puts are its ledger, like the canary's inserts. */
  async putObject(
    bucket: string,
    key: string,
    body: string,
    opts: CallOptions & { contentType?: string } = {},
  ): Promise<{ versionId: string | undefined; etag: string | undefined }> {
    const out = await this.caller.once(
      'PutObject',
      { kind: 'object', id: `${bucket}/${key}` },
      (abortSignal) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: opts.contentType ?? 'application/json',
          }),
          { abortSignal },
        ),
      opts,
    );
    return { versionId: out.VersionId, etag: out.ETag };
  }

  async getBucketReplication(bucket: string, opts: CallOptions = {}): Promise<ReplicationConfiguration> {
    const out = await this.caller.send(
      'GetBucketReplication',
      { kind: 'bucket', id: bucket },
      (abortSignal) => this.client.send(new GetBucketReplicationCommand({ Bucket: bucket }), { abortSignal }),
      opts,
    );
    return out.ReplicationConfiguration ?? { Role: undefined, Rules: [] };
  }

  /** Audited: the whole configuration is replaced (S3 has no per-rule update). */
  async putBucketReplication(
    bucket: string,
    config: ReplicationConfiguration,
    opts: CallOptions = {},
  ): Promise<void> {
    const statuses = [...new Set((config.Rules ?? []).map((r) => r.Status))].join(',');
    await this.caller.mutate(planPutBucketReplication(this.region, bucket, statuses), () =>
      this.caller.send(
        'PutBucketReplication',
        { kind: 'bucket', id: bucket },
        (abortSignal) =>
          this.client.send(
            new PutBucketReplicationCommand({ Bucket: bucket, ReplicationConfiguration: config }),
            { abortSignal },
          ),
        opts,
      ),
    );
  }
}
