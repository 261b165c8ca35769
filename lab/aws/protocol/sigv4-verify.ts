// SigV4 verified as AWS does it: the lab recomputes each request's signature with the SDK's own signer
// (@smithy/signature-v4) from the secret of the access key it names, and refuses what AWS refuses.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface LabCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Why a request is refused: each maps to its service's own error (sigv4-errors.ts). */
export type SigV4Refusal =
  | { kind: 'missing' }
  | { kind: 'malformed'; detail: string }
  | { kind: 'unknown-key'; accessKeyId: string }
  | { kind: 'mismatch' }
  /** x-amz-content-sha256 names a hash the body does not have. */
  | { kind: 'payload-hash' }
  | { kind: 'wrong-service'; expected: string }
  | { kind: 'skewed'; signed: string; serverMs: number; ahead: boolean }
  | { kind: 'expired'; signed: string; expires: number };

export interface SignedRequest {
  method: string;
  /** As sent: percent-encoded, before any decoding (the signer encodes it again for all services but S3). */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html: 15 minutes either way. */
export const MAX_SKEW_MS = 15 * 60_000;

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** The hash the signer needs (sha256, or HMAC-sha256 with a key), over node:crypto. */
export class Sha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {}
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function amzDate(text: string | undefined): Date | undefined {
  const m = text ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The signing scope and signature a request carries, in its Authorization header or its presigned query. */
function parse(
  request: SignedRequest,
):
  | { presigned: boolean; credential: string; signedHeaders: string[]; signature: string; date?: string }
  | SigV4Refusal {
  const authorization = one(request.headers.authorization);
  if (authorization) {
    const m = AUTH.exec(authorization.trim());
    if (!m)
      return {
        kind: 'malformed',
        detail: 'Authorization header is not a complete AWS4-HMAC-SHA256 signature',
      };
    return {
      presigned: false,
      credential: m[1] as string,
      signedHeaders: (m[2] as string).split(';'),
      signature: m[3] as string,
      date: one(request.headers['x-amz-date']),
    };
  }
  const credential = request.query.get('X-Amz-Credential');
  if (!credential) return { kind: 'missing' };
  const signature = request.query.get('X-Amz-Signature');
  const signedHeaders = request.query.get('X-Amz-SignedHeaders');
  if (request.query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !signature || !signedHeaders)
    return {
      kind: 'malformed',
      detail: 'presigned query lacks X-Amz-Algorithm, X-Amz-SignedHeaders or X-Amz-Signature',
    };
  return {
    presigned: true,
    credential,
    signedHeaders: signedHeaders.split(';'),
    signature,
    date: request.query.get('X-Amz-Date') ?? undefined,
  };
}

/**
 * Null when the request is signed by a known key for `service` within the allowed skew; the refusal otherwise.
 * `service` is the signing name of the service that routes the request (undefined: not checked).
 */
export async function verifySigV4(
  request: SignedRequest,
  keys: readonly LabCredentials[],
  service: string | undefined,
  now = Date.now(),
): Promise<SigV4Refusal | null> {
  const parsed = parse(request);
  if ('kind' in parsed) return parsed;
  const [accessKeyId = '', day = '', region = '', scopeService = '', terminator] =
    parsed.credential.split('/');
  if (terminator !== 'aws4_request' || !/^\d{8}$/.test(day))
    return {
      kind: 'malformed',
      detail: `credential scope ${parsed.credential.slice(accessKeyId.length)} is malformed`,
    };
  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (!key) return { kind: 'unknown-key', accessKeyId };
  if (service !== undefined && scopeService !== service) return { kind: 'wrong-service', expected: service };
  const signingDate = amzDate(parsed.date);
  if (!signingDate || !parsed.signedHeaders.includes('host'))
    return { kind: 'malformed', detail: 'X-Amz-Date is missing or malformed, or host is not signed' };
  if (parsed.presigned) {
    const expires = Number(request.query.get('X-Amz-Expires'));
    if (now > signingDate.getTime() + expires * 1000)
      return { kind: 'expired', signed: parsed.date as string, expires };
  } else if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
    return {
      kind: 'skewed',
      signed: parsed.date as string,
      serverMs: now,
      ahead: signingDate.getTime() > now,
    };
  }
  const signed = new Set(parsed.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = one(request.headers[name]);
    if (value === undefined) return { kind: 'mismatch' };
    headers[name] = value;
  }
  // The payload hash of the canonical request is the body's own; a client-stated hash must be it (S3 also
  // accepts UNSIGNED-PAYLOAD and streaming markers there). An S3 presigned URL signs no payload.
  const stated = headers['x-amz-content-sha256'];
  if (
    stated &&
    /^[0-9a-f]{64}$/.test(stated) &&
    stated !== createHash('sha256').update(request.body).digest('hex')
  )
    return { kind: 'payload-hash' };
  if (parsed.presigned && scopeService === 's3' && !stated)
    headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(request.query.keys())) {
    const values = request.query.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const signer = new SignatureV4({
    credentials: key,
    region,
    service: scopeService,
    sha256: Sha256,
    // S3 signs the path as sent; every other service encodes it once more (SigV4 canonical URI rules).
    uriEscapePath: scopeService !== 's3',
    applyChecksum: false,
  });
  const unsignable = new Set(
    ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'].filter((h) => !signed.has(h)),
  );
  const resigned = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: request.rawPath,
      query,
      headers,
      body: request.body.length > 0 ? request.body : undefined,
    },
    {
      signingDate,
      signingRegion: region,
      signingService: scopeService,
      signableHeaders: signed,
      unsignableHeaders: unsignable,
    },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1];
  return expected === parsed.signature ? null : { kind: 'mismatch' };
}
