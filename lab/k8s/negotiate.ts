// Content negotiation for the Accept header kubectl and client-node send.

export type Representation = 'json' | 'table' | 'metadata';

/**
 * The first representation in the Accept list this server can give: a meta.k8s.io/v1 Table, partial
 * object metadata, or plain JSON. Undefined when nothing acceptable is offered (406).
 */
export function negotiate(accept: string | undefined): Representation | undefined {
  if (!accept) return 'json';
  for (const entry of accept.split(',')) {
    const [media, ...params] = entry.split(';').map((p) => p.trim());
    const p = Object.fromEntries(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
    if (media !== 'application/json' && media !== '*/*' && media !== 'application/*') continue;
    if (!p.as) return 'json';
    if (p.g !== 'meta.k8s.io' || p.v !== 'v1') continue;
    if (p.as === 'Table') return 'table';
    if (p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') return 'metadata';
  }
  return undefined;
}
