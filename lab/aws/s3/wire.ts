// S3 REST-XML on the wire: path-style addressing, aws-chunked request bodies, object headers, error bodies.
import type { AwsReply, AwsRequest } from '../context.ts';
import type { AwsError } from '../protocol/errors.ts';
import { el, escapeXml } from '../protocol/xml.ts';
import { S3Error } from './store.ts';

/** `/bucket/some/key` → { bucket, key } (path-style); key '' for bucket operations. */
export function pathStyle(path: string): { bucket: string; key: string } {
  const trimmed = path.replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  const rawBucket = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const rawKey = slash === -1 ? '' : trimmed.slice(slash + 1);
  return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey) };
}

/**
 * The object bytes of a PutObject body. SDKs stream with `Content-Encoding: aws-chunked`
 * (`<hex size>[;chunk-signature=…]\r\n<bytes>\r\n … 0\r\n<trailers>\r\n\r\n`) to send a trailing checksum.
 */
export function decodeBody(request: AwsRequest): Buffer {
  const encoding = String(request.headers['content-encoding'] ?? '');
  const sha = String(request.headers['x-amz-content-sha256'] ?? '');
  if (!encoding.includes('aws-chunked') && !sha.startsWith('STREAMING-')) return request.body;
  const body = request.body;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size))
      throw new S3Error('IncompleteBody', 400, 'The aws-chunked body is malformed.');
    if (size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function s3ErrorReply(error: AwsError, requestId: string, resource?: string): AwsReply {
  const extra = error instanceof S3Error ? error.extra : {};
  const fields = Object.entries(extra)
    .map(([tag, value]) => el(tag, value))
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${el('Code', error.code)}${el('Message', error.message)}${fields}${resource ? el('Resource', resource) : ''}${el('RequestId', requestId)}${el('HostId', hostId(requestId))}</Error>`;
  return {
    status: error.status,
    headers: { ...s3Headers(requestId), 'content-type': 'application/xml' },
    body,
  };
}

export function s3Headers(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), server: 'AmazonS3' };
}

export function xmlOk(requestId: string, xml: string, extra: Record<string, string> = {}): AwsReply {
  return {
    status: 200,
    headers: { ...s3Headers(requestId), 'content-type': 'application/xml', ...extra },
    body: xml,
  };
}

function hostId(requestId: string): string {
  return Buffer.from(`lab-${requestId}`).toString('base64');
}

/** RFC 7231 date, as S3 sends Last-Modified. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

export const xmlDeclaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function rootElement(name: string, namespace: string, inner: string): string {
  return `${xmlDeclaration}<${name} xmlns="${escapeXml(namespace)}">${inner}</${name}>`;
}
