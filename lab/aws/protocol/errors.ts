// One error type for every service: each protocol module renders it in its own wire shape.

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** 'Sender' for client mistakes, 'Receiver' for server-side failures (awsQuery <Type>). */
  readonly fault: 'Sender' | 'Receiver';
  constructor(code: string, status: number, message: string, fault: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
    this.fault = status >= 500 ? 'Receiver' : fault;
  }
}

/** Turn anything thrown by a handler or the backend into an AwsError (backend errors may carry `.code`). */
export function toAwsError(error: unknown, defaultCode = 'InternalFailure'): AwsError {
  if (error instanceof AwsError) return error;
  const code =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code && /^[A-Z][A-Za-z]+$/.test(code)) return new AwsError(code, 400, message);
  return new AwsError(defaultCode, 500, message, 'Receiver');
}

export function requireParam<T>(value: T | undefined | null | '', name: string): T {
  if (value === undefined || value === null || value === '') {
    throw new AwsError('MissingParameter', 400, `The request must contain the parameter ${name}.`);
  }
  return value;
}

/** The request id every response carries. */
export function requestId(): string {
  return crypto.randomUUID();
}
