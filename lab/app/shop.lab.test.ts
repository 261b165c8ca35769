import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegionalLoadBalancer } from '../edge/alb.ts';
import { PublicEdge } from '../edge/public.ts';
import { type AppFixture, startAppFixture } from './testing/fixture.ts';
import type { AppProcess } from './testing/processes.ts';

// Flags for Chromium as root on a closed network (reference/toolchain.md).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

let fx: AppFixture;
let api: AppProcess;
let frontend: AppProcess;
let alb: RegionalLoadBalancer;
let edge: PublicEdge;
let publicUrl: string;
let browser: Browser;

beforeAll(async () => {
  fx = await startAppFixture();
  [api, frontend] = await Promise.all([
    fx.start('api', 'luneo-api-7f9c-a'),
    fx.start('frontend', 'luneo-frontend-3b1d-a'),
  ]);
  console.log(`start-up (spawn → ready): luneo-api ${api.readyMs} ms, luneo-frontend ${frontend.readyMs} ms`);
  // The whole user path: browser → public edge (DNS, TTL) → regional ALB → pods.
  alb = new RegionalLoadBalancer({
    region: 'eu-west-1',
    endpoints: (deployment) =>
      deployment === 'luneo-api'
        ? [{ pod: 'luneo-api-7f9c-a', port: api.port }]
        : [{ pod: 'luneo-frontend-3b1d-a', port: frontend.port }],
  });
  const albPort = await alb.start();
  edge = new PublicEdge({
    name: 'api.luneo.app.',
    resolve: () => ({ value: 'alb-eu-west-1.lab.luneo.app', ttl: 5 }),
    hosts: (hostname) =>
      hostname === 'alb-eu-west-1.lab.luneo.app' ? { host: '127.0.0.1', port: albPort } : null,
  });
  publicUrl = `http://127.0.0.1:${await edge.start()}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await edge?.close();
  await alb?.close();
  await fx?.close();
});

describe('the shop page in headless Chromium', () => {
  it('loads the products, places an order and shows its id, with no console errors', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

    const response = await page.goto(publicUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['x-luneo-region']).toBe('eu-west-1');
    expect(response?.headers()['x-edge-resolved']).toBe('alb-eu-west-1.lab.luneo.app');
    await expect.poll(() => page.getByTestId('product-card').count()).toBe(4);

    await page
      .getByTestId('product-card')
      .filter({ hasText: 'Luneo Mug' })
      .getByTestId('choose-product')
      .click();
    await page.getByTestId('quantity').fill('2');
    await page.getByTestId('email').fill('grace@example.com');
    await page.getByTestId('place-order').click();
    await page.getByTestId('order-confirmation').waitFor({ state: 'visible', timeout: 10_000 });
    const orderId = (await page.getByTestId('order-id').textContent()) ?? '';
    expect(orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await page.screenshot({ path: join(tmpdir(), 'luneo-shop-order.png') });

    const stored = await fetch(`${publicUrl}/api/orders/${orderId}`);
    expect(await stored.json()).toMatchObject({
      id: orderId,
      sku: 'LUN-MUG-002',
      quantity: 2,
      email: 'grace@example.com',
      totalCents: 2900,
    });
    expect(problems).toEqual([]);
    await page.close();
    expect(alb.stats().errors5xx).toBe(0);
  });

  it('shows the API error in the page when an order is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${publicUrl}/#/product/LUN-TEE-001`);
    await page.getByTestId('product-name').filter({ hasText: 'Luneo T-shirt' }).waitFor();
    await page.getByTestId('quantity').fill('101');
    await page.getByTestId('email').fill('grace@example.com');
    // The input's own max=100 would stop the browser from submitting: lift it to reach the API's check.
    await page.getByTestId('quantity').evaluate((input) => input.removeAttribute('max'));
    await page.getByTestId('place-order').click();
    await expect
      .poll(() => page.getByTestId('order-error').textContent())
      .toBe('The order failed: quantity: expected an integer from 1 to 100, got 101');
    await page.close();
  });
});
