// What the shop's scenarios need to know of a target, and the one way they call the shop: every call is planned
// (listed by --dry-run) and every change goes through the run's audit log.
import type { JsonValue, PlannedCall, RunContext } from 'drill';

export interface ShopResources {
  /** The front door's URL; the local target sets it when it starts the shop. */
  url: string;
}

export type ShopContext = RunContext<ShopResources>;

export function shopCall(method: string, path: string, body?: Record<string, JsonValue>): PlannedCall {
  return {
    service: 'shop',
    operation: `${method} ${path}`,
    mutating: method !== 'GET',
    ...(body ? { params: body } : {}),
  };
}

/** Makes a planned call; a mutating one is written to the audit log before and after. */
export async function callShop(ctx: ShopContext, call: PlannedCall): Promise<Record<string, JsonValue>> {
  const [method, path] = call.operation.split(' ');
  const send = async () => {
    const res = await fetch(`${ctx.target.resources.url}${path}`, {
      method,
      signal: ctx.signal,
      ...(call.params
        ? { body: JSON.stringify(call.params), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    const body = (await res.json()) as Record<string, JsonValue>;
    if (!res.ok) throw new Error(`shop ${call.operation}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  return call.mutating ? ctx.audit.mutate(call, send) : send();
}
