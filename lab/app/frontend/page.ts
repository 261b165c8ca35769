// The shop page: plain HTML + inline JS, no build step. It talks to /api/* on its own origin
// (the regional load balancer routes those paths to luneo-api).

export interface PageInfo {
  region: string;
  version: string;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1d1d29; background: #f6f5fb; }
header { display: flex; justify-content: space-between; align-items: baseline; padding: 1rem 2rem; background: #1d1d29; color: #fff; }
header h1 { margin: 0; font-size: 1.4rem; }
main { max-width: 56rem; margin: 0 auto; padding: 1.5rem 2rem; }
.products { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 1rem; }
.card { background: #fff; border-radius: .5rem; padding: 1rem; box-shadow: 0 1px 3px #0002; }
.card h3 { margin: 0 0 .5rem; font-size: 1.05rem; }
.card button, form button { margin-top: .5rem; padding: .4rem .9rem; border: 0; border-radius: .3rem; background: #5b3df5; color: #fff; cursor: pointer; }
.panel { background: #fff; border-radius: .5rem; padding: 1.25rem; margin-top: 1.5rem; box-shadow: 0 1px 3px #0002; }
label { display: block; margin: .5rem 0; }
input { margin-left: .5rem; padding: .3rem; }
.error { color: #b00020; }
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const money = (cents) => (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'EUR' });
let products = [];
let selected = null;

function showProduct(sku) {
  selected = products.find((p) => p.sku === sku) || null;
  $('product').hidden = !selected;
  $('confirmation').hidden = true;
  $('order-error').hidden = true;
  if (!selected) return;
  $('product-name').textContent = selected.name;
  $('product-description').textContent = selected.description;
  $('product-price').textContent = money(selected.priceCents);
  $('quantity').focus();
}

async function loadProducts() {
  const list = $('products');
  try {
    const res = await fetch('/api/products', { headers: { accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || ('HTTP ' + res.status));
    products = body.products;
    list.replaceChildren(...products.map((p) => {
      const card = document.createElement('article');
      card.className = 'card';
      card.dataset.testid = 'product-card';
      card.dataset.sku = p.sku;
      const title = document.createElement('h3');
      title.textContent = p.name;
      const price = document.createElement('div');
      price.textContent = money(p.priceCents);
      const choose = document.createElement('button');
      choose.type = 'button';
      choose.textContent = 'Choose';
      choose.dataset.testid = 'choose-product';
      choose.addEventListener('click', () => { location.hash = '#/product/' + encodeURIComponent(p.sku); });
      card.append(title, price, choose);
      return card;
    }));
    list.setAttribute('aria-busy', 'false');
    route();
  } catch (error) {
    list.textContent = 'Products are unavailable: ' + error.message;
    list.className = 'error';
  }
}

function route() {
  const match = /^#\\/product\\/(.+)$/.exec(location.hash);
  showProduct(match ? decodeURIComponent(match[1]) : null);
}

async function placeOrder(event) {
  event.preventDefault();
  if (!selected) return;
  const button = $('place-order');
  button.disabled = true;
  $('order-error').hidden = true;
  try {
    const res = await fetch('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ sku: selected.sku, quantity: Number($('quantity').value), email: $('email').value }),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(body.message || ('HTTP ' + res.status));
    $('order-id').textContent = body.id;
    $('order-total').textContent = money(body.totalCents);
    $('order-region').textContent = body.regionCreated;
    $('product').hidden = true;
    $('confirmation').hidden = false;
  } catch (error) {
    $('order-error').textContent = 'The order failed: ' + error.message;
    $('order-error').hidden = false;
  } finally {
    button.disabled = false;
  }
}

window.addEventListener('hashchange', route);
$('order-form').addEventListener('submit', placeOrder);
loadProducts();
`;

/** The whole shop page for one region. */
export function shopPage(info: PageInfo): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Luneo shop</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><h1>Luneo</h1><small data-testid="served-by">${escapeHtml(info.region)} · v${escapeHtml(info.version)}</small></header>
<main>
<h2>Products</h2>
<section id="products" class="products" data-testid="product-list" aria-busy="true">Loading…</section>
<section id="product" class="panel" data-testid="product-page" hidden>
<h2 id="product-name" data-testid="product-name"></h2>
<p id="product-description"></p>
<p>Price: <strong id="product-price" data-testid="product-price"></strong></p>
<form id="order-form">
<label>Quantity <input id="quantity" data-testid="quantity" type="number" min="1" max="100" value="1" required></label>
<label>Email <input id="email" data-testid="email" type="email" autocomplete="email" required></label>
<button id="place-order" data-testid="place-order" type="submit">Order</button>
</form>
<p id="order-error" class="error" data-testid="order-error" role="alert" hidden></p>
</section>
<section id="confirmation" class="panel" data-testid="order-confirmation" hidden>
<h2>Thank you!</h2>
<p>Order <code id="order-id" data-testid="order-id"></code> is confirmed: <span id="order-total"></span>, taken in <span id="order-region"></span>.</p>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
