import { HttpError } from '../http/respond.ts';

export interface OrderInput {
  sku: string;
  quantity: number;
  email: string;
}

export interface RenderInput {
  prompt: string;
  sandbox: true;
  /** 'upscale' doubles the image of render `sourceId` (default 'render'). */
  kind: 'render' | 'upscale';
  sourceId: string | null;
}

export const MAX_QUANTITY = 100;
export const MAX_PROMPT_LENGTH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks POST /api/orders; every problem is listed in one 400 `invalid_order` message. */
export function parseOrderInput(body: Record<string, unknown>): OrderInput {
  const problems: string[] = [];
  const { sku, quantity, email } = body;
  if (typeof sku !== 'string' || sku.trim() === '') problems.push('sku: expected a product SKU string');
  if (
    typeof quantity !== 'number' ||
    !Number.isInteger(quantity) ||
    quantity < 1 ||
    quantity > MAX_QUANTITY
  ) {
    problems.push(
      `quantity: expected an integer from 1 to ${MAX_QUANTITY}, got ${JSON.stringify(quantity ?? null)}`,
    );
  }
  if (typeof email !== 'string' || !EMAIL.test(email.trim()) || email.length > 254) {
    problems.push('email: expected an email address like name@example.com');
  }
  if (problems.length > 0) throw new HttpError(400, 'invalid_order', problems.join('; '));
  return { sku: (sku as string).trim(), quantity: quantity as number, email: (email as string).trim() };
}

/** Checks POST /api/renders; the lab has no AI backend, so only sandbox renders are accepted. */
export function parseRenderInput(body: Record<string, unknown>): RenderInput {
  const { prompt, sandbox, kind = 'render', sourceId } = body;
  if (typeof prompt !== 'string' || prompt.trim() === '' || prompt.length > MAX_PROMPT_LENGTH) {
    throw new HttpError(
      400,
      'invalid_render',
      `prompt: expected a non-empty string of at most ${MAX_PROMPT_LENGTH} characters`,
    );
  }
  if (sandbox !== true) {
    throw new HttpError(
      400,
      'sandbox_required',
      'sandbox: only sandbox renders run here; send "sandbox": true',
    );
  }
  if (kind !== 'render' && kind !== 'upscale') {
    throw new HttpError(
      400,
      'invalid_render',
      `kind: expected "render" or "upscale", got ${JSON.stringify(kind)}`,
    );
  }
  if (kind === 'upscale' && (typeof sourceId !== 'string' || !UUID.test(sourceId))) {
    throw new HttpError(400, 'invalid_render', 'sourceId: an upscale needs the id of a finished render');
  }
  return {
    prompt: prompt.trim(),
    sandbox: true,
    kind,
    sourceId: kind === 'upscale' ? (sourceId as string) : null,
  };
}
