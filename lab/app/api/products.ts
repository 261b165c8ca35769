import type { ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../http/respond.ts';
import { type ApiContext, withDb } from './context.ts';

interface ProductRow {
  sku: string;
  name: string;
  description: string;
  price_cents: number;
}

function toProduct(row: ProductRow) {
  return { sku: row.sku, name: row.name, description: row.description, priceCents: row.price_cents };
}

/** GET /api/products → { products: [{ sku, name, description, priceCents }] } */
export async function listProducts(ctx: ApiContext, res: ServerResponse): Promise<void> {
  const result = await withDb(ctx, (pool) =>
    pool.query<ProductRow>('select sku, name, description, price_cents from products order by sku'),
  );
  sendJson(res, 200, { products: result.rows.map(toProduct) });
}

/** GET /api/products/:sku → product, or 404 product_not_found */
export async function getProduct(ctx: ApiContext, res: ServerResponse, sku: string): Promise<void> {
  const result = await withDb(ctx, (pool) =>
    pool.query<ProductRow>('select sku, name, description, price_cents from products where sku = $1', [sku]),
  );
  const row = result.rows[0];
  if (!row) throw new HttpError(404, 'product_not_found', `no product with sku "${sku}"`);
  sendJson(res, 200, toProduct(row));
}
