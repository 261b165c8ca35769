import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJsonObject, sendJson } from '../http/respond.ts';
import { type ApiContext, isUuid, withDb } from './context.ts';
import { parseOrderInput } from './validate.ts';

interface OrderRow {
  id: string;
  sku: string;
  quantity: number;
  email: string;
  total_cents: number;
  region_created: string;
  created_at: Date;
}

const COLUMNS = 'id, sku, quantity, email, total_cents, region_created, created_at';

function toOrder(row: OrderRow) {
  return {
    id: row.id,
    sku: row.sku,
    quantity: row.quantity,
    email: row.email,
    totalCents: row.total_cents,
    regionCreated: row.region_created,
    createdAt: row.created_at.toISOString(),
  };
}

/** POST /api/orders {sku, quantity, email} → 201 order; 400 on bad input or unknown sku; 503 on a read-only/unreachable DB. */
export async function createOrder(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const input = parseOrderInput(await readJsonObject(req));
  // One statement: the price is read and the row written atomically, on whichever node is the writer.
  const result = await withDb(ctx, (pool) =>
    pool.query<OrderRow>(
      `insert into orders (sku, quantity, email, total_cents, region_created)
       select sku, $2, $3, price_cents * $2, $4 from products where sku = $1
       returning ${COLUMNS}`,
      [input.sku, input.quantity, input.email, ctx.pod.region],
    ),
  );
  const row = result.rows[0];
  if (!row) throw new HttpError(400, 'unknown_sku', `sku: no product "${input.sku}" (see GET /api/products)`);
  res.setHeader('location', `/api/orders/${row.id}`);
  sendJson(res, 201, toOrder(row));
}

/** GET /api/orders/:id → 200 order | 404 order_not_found */
export async function getOrder(ctx: ApiContext, res: ServerResponse, id: string): Promise<void> {
  const notFound = new HttpError(404, 'order_not_found', `no order with id "${id}"`);
  if (!isUuid(id)) throw notFound;
  const result = await withDb(ctx, (pool) =>
    pool.query<OrderRow>(`select ${COLUMNS} from orders where id = $1`, [id]),
  );
  const row = result.rows[0];
  if (!row) throw notFound;
  sendJson(res, 200, toOrder(row));
}
