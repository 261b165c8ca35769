// ListObjectVersions (GET /<bucket>?versions): keys in order, newest version first, paged by key and version markers.
import { el, node } from '../protocol/xml.ts';
import { S3_NAMESPACE } from './replication-config.ts';
import { type Bucket, compareKeys, type ObjectVersion, s3Error } from './store.ts';
import { rootElement } from './wire.ts';

const OWNER = node(
  'Owner',
  el('DisplayName', 'luneo-lab'),
  el('ID', 'lab0000000000000000000000000000000000000000000000000000000000'),
);

/** `versions` is every version of the bucket in listing order (S3Store.allVersions). */
export function listObjectVersions(bucket: Bucket, versions: ObjectVersion[], q: URLSearchParams): string {
  const prefix = q.get('prefix') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  const maxKeysText = q.get('max-keys');
  const maxKeys = maxKeysText === null ? 1000 : Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw s3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: String(maxKeysText),
    });
  if (versionIdMarker && !keyMarker)
    throw s3Error('InvalidArgument', 400, 'A version-id marker cannot be specified without a key marker.', {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionIdMarker,
    });
  const matching = versions.filter((v) => v.key.startsWith(prefix));
  let start = 0;
  if (keyMarker) {
    start = matching.findIndex((v) => compareKeys(v.key, keyMarker) > 0);
    if (versionIdMarker) {
      const at = matching.findIndex((v) => v.key === keyMarker && v.versionId === versionIdMarker);
      if (at !== -1) start = at + 1;
    }
    if (start === -1) start = matching.length;
  }
  const page = matching.slice(start, start + Math.min(maxKeys, 1000));
  const truncated = start + page.length < matching.length;
  const last = page[page.length - 1];
  const latest = new Set([...bucket.objects.values()].map((list) => list[0]));
  const items = page
    .map((v) =>
      node(
        'Version',
        el('Key', v.key),
        el('VersionId', v.versionId),
        el('IsLatest', latest.has(v)),
        el('LastModified', v.lastModified),
        el('ETag', v.etag),
        el('Size', v.size),
        el('StorageClass', 'STANDARD'),
        OWNER,
      ),
    )
    .join('');
  return rootElement(
    'ListVersionsResult',
    S3_NAMESPACE,
    [
      el('Name', bucket.name),
      el('Prefix', prefix),
      el('KeyMarker', keyMarker),
      el('VersionIdMarker', versionIdMarker),
      truncated && last ? el('NextKeyMarker', last.key) + el('NextVersionIdMarker', last.versionId) : '',
      el('MaxKeys', maxKeys),
      el('IsTruncated', truncated),
      items,
    ].join(''),
  );
}
