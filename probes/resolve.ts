// Probe options are values or functions of the run, so one probe binds to the lab and to prod alike.

import type { RunContext } from '../core/model.ts';
import { Redactor } from '../core/redact.ts';

/** A value, or a function of the run context that gives it (e.g. `(ctx) => ctx.target.resources.publicUrl`). */
export type FromContext<T, R = unknown> = T | ((ctx: RunContext<R>) => T | Promise<T>);

export async function resolveOption<T, R>(option: FromContext<T, R>, ctx: RunContext<R>): Promise<T> {
  return typeof option === 'function'
    ? await (option as (ctx: RunContext<R>) => T | Promise<T>)(ctx)
    : option;
}

const redactor = new Redactor();

/** Masks passwords in URLs (postgres://user:***@host) so details, logs and attachments never carry them. */
export function safeText(text: string): string {
  return redactor.redactText(text);
}

/** Joins a base URL and a path: `joinUrl('http://h:1/', '/health')` → `http://h:1/health`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
