// How validation messages show values and paths.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const URL_CREDENTIALS = /(\/\/)[^/@\s]*@/g;

/** Hides `user:password@` in anything that looks like a URL, so messages never leak a secret. */
export function redactCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}

/** A value as shown after "got": strings quoted (credentials hidden), objects by kind only. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(redactCredentials(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** `failover` + 2 → `failover[2]`; `kube.contexts` + `eu west` → `kube.contexts["eu west"]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** `"a"`, `"a" or "b"`, `one of "a", "b", "c"`. */
export function listChoices(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  if (quoted.length <= 2) return quoted.join(' or ');
  return `one of ${quoted.join(', ')}`;
}
