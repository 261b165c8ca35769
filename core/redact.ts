// Keeps secrets out of every output: console, actions.jsonl, journal.json and result.json.

// Keys whose value is a secret: matched on the key's ending, so `SecretId` stays readable but
// `SecretString`, `MasterUserPassword`, `sessionToken` and `credentials` are masked.
const SECRET_KEY =
  /(passw(or)?d|passphrase|secret|secretstring|secretbinary|secretaccesskey|token|credentials?|apikey|privatekey|authorization|cookie)$/;
// scheme://user:password@host → scheme://user:***@host
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/?#\s]+)(@)/gi;
export const MASK = '***';

export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a literal value (a password read at runtime) so it is masked wherever it appears. */
  addSecret(value: string | undefined | null): void {
    // Very short values would mask ordinary words; a secret that short is not worth hiding behind.
    if (typeof value === 'string' && value.length >= 4) this.#secrets.add(value);
  }

  /** Masks URL passwords and every registered secret in a string. */
  redactText(text: string): string {
    let out = text.replace(URL_PASSWORD, `$1${MASK}$3`);
    // Longest first, so a secret containing another is masked whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** Deep copy with secret-named keys masked and every string run through redactText. */
  redact<T>(value: T): T {
    return this.#walk(value, 0) as T;
  }

  #walk(value: unknown, depth: number): unknown {
    if (depth > 32) return '[too deep]';
    if (typeof value === 'string') return this.redactText(value);
    if (Array.isArray(value)) return value.map((item) => this.#walk(item, depth + 1));
    if (value instanceof Error) return this.redactText(value.message);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] =
          isSecretKey(key) && item !== null && item !== undefined ? MASK : this.#walk(item, depth + 1);
      }
      return out;
    }
    return value;
  }
}

/** Whether a key name looks like it holds a secret (password, SecretString, token, credentials...). */
export function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEY.test(normal) && !NOT_SECRET.has(normal);
}

// Tokens that are identifiers, not credentials: keep them readable (idempotency, pagination).
const NOT_SECRET = new Set([
  'clienttoken',
  'nexttoken',
  'continuationtoken',
  'paginationtoken',
  'drill:clienttoken',
]);

/** Where the runner puts its Redactor in `ctx.state`, so steps can register secrets they read. */
export const REDACTOR_STATE_KEY = 'drill:redactor';

/** Masks `value` in every output of the run that owns `state` (ctx.state). */
export function registerSecret(state: Map<string, unknown>, value: string): void {
  const redactor = state.get(REDACTOR_STATE_KEY);
  if (redactor instanceof Redactor) redactor.addSecret(value);
}
