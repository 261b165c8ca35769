// Errors of the lab's Redis, each with a stable code (AWS-style codes where the ElastiCache API answers them).
export type RedisLabErrorCode =
  | 'RedisNotInstalled'
  | 'RedisStartFailed'
  | 'NotStarted'
  | 'InvalidGlobalReplicationGroupState'
  | 'ReplicaNotCaughtUp';

export class RedisLabError extends Error {
  constructor(
    readonly code: RedisLabErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RedisLabError';
  }
}
