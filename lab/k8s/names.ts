// Names the way Kubernetes makes them: pod-template-hash, random pod suffixes, DNS-1123 checks.
import { randomInt } from 'node:crypto';

// Kubernetes' "safe" alphabet: no vowels (no words), no look-alikes (0/o, 1/l).
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Like rand.SafeEncodeString: map each character onto the safe alphabet. */
function safeEncode(text: string): string {
  let out = '';
  for (const ch of text) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

// Drops null, {} and [] so that a template that round-tripped through Go structs (kubectl rollout undo
// sends `creationTimestamp: null`, `resources: {}`) hashes like the original.
function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneEmpty);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const pruned = pruneEmpty(v);
      const empty =
        pruned === null ||
        pruned === undefined ||
        (Array.isArray(pruned) && pruned.length === 0) ||
        (typeof pruned === 'object' && !Array.isArray(pruned) && Object.keys(pruned as object).length === 0);
      if (!empty) out[k] = pruned;
    }
    return out;
  }
  return value;
}

/** The pod-template-hash label value for a pod template (FNV-32a of its canonical JSON, as the controller does). */
export function podTemplateHash(template: unknown): string {
  return safeEncode(String(fnv32a(canonicalJson(pruneEmpty(template)))));
}

/** `n` random characters from the safe alphabet, like the suffix of a generated pod name. */
export function randomSuffix(n = 5): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE_ALPHABET[randomInt(SAFE_ALPHABET.length)];
  return out;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The message kube-apiserver gives for an invalid object name, or undefined if the name is valid. */
export function invalidNameMessage(name: string): string | undefined {
  if (name.length > 253) return 'must be no more than 253 characters';
  if (!DNS_SUBDOMAIN.test(name)) {
    return `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  }
  return undefined;
}
