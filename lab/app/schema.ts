import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Absolute path of the app's schema (products seed, orders, render_jobs). Idempotent SQL. */
export const SCHEMA_SQL_PATH = fileURLToPath(new URL('./schema.sql', import.meta.url));

/** The schema's text, to run once on the writer (e.g. `await client.query(await readSchemaSql())`). */
export function readSchemaSql(): Promise<string> {
  return readFile(SCHEMA_SQL_PATH, 'utf8');
}
