// A bucket's replication configuration as the lab keeps it (PutBucketReplication ReplicationConfiguration, S3 API
// reference): stored with the bucket, parsed and rendered by replication-config.ts.
export interface ReplicationRule {
  id: string;
  priority: number | undefined;
  /** Objects whose key starts with it are replicated ('' = every object). */
  prefix: string;
  /** The rule used the V2 schema (<Filter>), which S3 renders back the same way. */
  filtered: boolean;
  status: 'Enabled' | 'Disabled';
  deleteMarkerReplication: 'Enabled' | 'Disabled' | undefined;
  /** Destination bucket name (S3 takes its ARN, arn:aws:s3:::name). */
  destinationBucket: string;
  storageClass: string | undefined;
}

export interface ReplicationConfiguration {
  role: string;
  rules: ReplicationRule[];
}
