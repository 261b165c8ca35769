// Errors of the lab database. DbStateError carries the AWS fault code the RDS endpoint returns as is.

/** A request the global cluster's current state does not allow (AWS-style fault code, e.g. InvalidGlobalClusterStateFault). */
export class DbStateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DbStateError';
  }
}

export type PgLabErrorCode =
  | 'PostgresNotInstalled'
  | 'NoPostgresUser'
  | 'DirNotAccessible'
  | 'ServerStartFailed'
  | 'CommandFailed'
  | 'WaitTimeout'
  | 'NotStarted';

/** The lab could not run PostgreSQL (missing binaries, a command failed, a wait timed out). */
export class PgLabError extends Error {
  constructor(
    readonly code: PgLabErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PgLabError';
  }
}
