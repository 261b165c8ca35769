import { sendJson } from '../http/respond.ts';
import { Router } from '../http/router.ts';
import type { ApiContext } from './context.ts';
import { health, version } from './health.ts';
import { createOrder, getOrder } from './orders.ts';
import { getProduct, listProducts } from './products.ts';
import { createRender, getRender, getRenderImage, queueCounts } from './renders.ts';
import { listUsage, recordUsage } from './usage.ts';
import { getDelivery, receiveWebhook } from './webhooks.ts';

/** Every luneo-api route. */
export function apiRouter(ctx: ApiContext): Router {
  return (
    new Router()
      .on('GET', '/health', (_req, res) => health(ctx, res))
      .on('GET', '/version', (_req, res) => version(ctx, res))
      // Liveness: the process serves, whatever its database does (readiness is /health).
      .on('GET', '/healthz', (_req, res) =>
        sendJson(res, 200, { status: 'ok', service: 'luneo-api', pod: ctx.pod.pod }),
      )
      .on('GET', '/api/products', (_req, res) => listProducts(ctx, res))
      .on('GET', '/api/products/:sku', (_req, res, p) => getProduct(ctx, res, p.sku!))
      .on('POST', '/api/orders', (req, res) => createOrder(ctx, req, res))
      .on('GET', '/api/orders/:id', (_req, res, p) => getOrder(ctx, res, p.id!))
      .on('POST', '/api/renders', (req, res) => createRender(ctx, req, res))
      .on('GET', '/api/renders/:id', (_req, res, p) => getRender(ctx, res, p.id!))
      .on('GET', '/api/renders/:id/image', (_req, res, p) => getRenderImage(ctx, res, p.id!))
      .on('GET', '/api/queue', (_req, res) => queueCounts(ctx, res))
      .on('POST', '/api/webhooks/shopify', (req, res) => receiveWebhook(ctx, 'shopify', req, res))
      .on('POST', '/api/webhooks/woocommerce', (req, res) => receiveWebhook(ctx, 'woocommerce', req, res))
      .on('GET', '/api/webhooks/:provider/:deliveryId', (_req, res, p) =>
        getDelivery(ctx, res, p.provider!, p.deliveryId!),
      )
      .on('POST', '/api/usage', (req, res) => recordUsage(ctx, req, res))
      .on('GET', '/api/usage', (req, res) => listUsage(ctx, req, res))
  );
}
