// JSON protocols: awsJson1.0/1.1 (X-Amz-Target) errors with __type, restJson1 errors with x-amzn-ErrorType.
import type { AwsError } from './errors.ts';

export interface JsonReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonOk(contentType: string, payload: unknown, status = 200): JsonReply {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(payload) };
}

/** awsJson error; `queryCompatible` adds the x-amzn-query-error header CloudWatch clients read the code from. */
export function awsJsonError(
  error: AwsError,
  contentType: string,
  opts: { typePrefix?: string; queryCompatible?: boolean } = {},
): JsonReply {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (opts.queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
  const body = JSON.stringify({
    __type: `${opts.typePrefix ?? ''}${error.code}`,
    message: error.message,
    Message: error.message,
  });
  return { status: error.status, headers, body };
}

export function restJsonError(error: AwsError): JsonReply {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
    body: JSON.stringify({ message: error.message }),
  };
}

/** Epoch seconds with millisecond precision: the timestamp format of the JSON protocols. */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Read a JSON timestamp input (epoch seconds number or ISO string) as epoch ms. */
export function timestampInput(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') {
    const numeric = Number(value);
    if (Number.isFinite(numeric)) return numeric * 1000;
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}
