// What every service handler receives: the parsed request, and the shared lab state it may touch.
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsLabBackend } from './backend.ts';
import type { TargetQuota } from './fis/quotas.ts';

export interface AwsRequest {
  method: string;
  /** Path without the query string, e.g. '/2013-04-01/hostedzone/Z123/rrset/'. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Region of the SigV4 credential scope ('us-east-1' when unsigned). */
  region: string;
  /** Service of the SigV4 credential scope, e.g. 'rds', 'monitoring', 'sts'. */
  signingService: string | undefined;
}

export interface AwsReply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface AwsContext {
  backend: AwsLabBackend;
  accountId: string;
  /** Record that a mutating call was applied (not for rejected or idempotent repeats). */
  mutated(operation: string): void;
  log(line: string): void;
  /** The FIS target quotas as applied in a region (Service Quotas); absent: the defaults. */
  fisQuotas?(region: string): Record<string, TargetQuota>;
}

export function header(request: AwsRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
