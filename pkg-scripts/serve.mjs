// Serves the demo shop (www/) and the built package (dist/, under /shelfwise/) on
// 127.0.0.1, with the strict Content Security Policy the package is meant to run under.
// Usage: PORT=8080 node pkg-scripts/serve.mjs
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ROOT } from './toolchain.mjs';
import { readable } from '../dist/words.js';
import { iconUrl, inStock, tintClass } from '../www/art.js';
import { LABELS } from '../www/labels.js';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** Scripts only from this origin, wasm compilation allowed, nothing inline, nothing remote. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** The demo shop: the built package under /shelfwise/, the shop at the root. */
export const SHOP_MOUNTS = [
  ['/shelfwise/', DIST],
  ['/vendor/uqr/', join(ROOT, 'node_modules', 'uqr', 'dist')],
  ['/', join(ROOT, 'www')],
];

/** Text made safe for HTML content and attribute values. */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A category slug as shoppers read it, as the shop's pages and Shelfwise say it. */
function categoryName(slug) {
  return readable('category', slug, LABELS);
}

/**
 * A category page rendered on the server, as a shop's would be: its products in the
 * shop's order (best rated first), each card carrying its attributes as data
 * attributes and linking to the product in the shop. `www/category.js` reorders them
 * for the shopper before the first paint. Pictures are the shop's own (www/art.js), with
 * their size set, so that nothing moves when they load.
 */
export function renderCategory(slug) {
  const catalogue = JSON.parse(readFileSync(join(ROOT, 'www', 'data', 'products.json'), 'utf8'));
  const products = catalogue.filter((p) => p.category === slug).sort((a, b) => b.rating - a.rating || a.id - b.id);
  if (products.length === 0) return null;
  const name = categoryName(slug);
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  const cards = products.map((p) => {
    const data = {
      'product-id': p.id,
      category: p.category,
      brand: p.brand ?? '',
      price: p.price,
      currency: 'USD',
      tags: (p.tags ?? []).join(','),
      'in-stock': inStock(p),
    };
    const attributes = Object.entries(data).map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`).join('');
    const href = `/?product=${encodeURIComponent(p.id)}&from=category`;
    const soldOut = inStock(p) ? '' : '<span class="stock-badge">Out of stock</span>';
    const label = `${p.title}, ${money.format(p.price)}${inStock(p) ? '' : ', out of stock'}`;
    return (
      `<li class="card${inStock(p) ? '' : ' sold-out'}"${attributes}>` +
      `<a class="card-open" href="${escapeHtml(href)}" aria-label="${escapeHtml(label)}">` +
      `<div class="thumb ${tintClass(p)}"><img class="thumb-icon" src="${iconUrl(p.category)}" alt="" width="24" height="24" />${soldOut}</div>` +
      `<div class="card-body"><p class="card-category">${escapeHtml(name)}</p><h3 class="card-title">${escapeHtml(p.title)}</h3>` +
      `<p class="card-brand">${escapeHtml(p.brand ?? '\u00a0')}</p>` +
      `<div class="card-meta"><span class="price">${escapeHtml(money.format(p.price))}</span>` +
      `<span class="rating" aria-label="Rated ${p.rating.toFixed(1)} out of 5">★ ${p.rating.toFixed(1)}</span></div></div></a></li>`
    );
  });
  const others = [...new Set(catalogue.map((p) => p.category))]
    .filter((other) => other !== slug)
    .sort()
    .map((other) => `<a href="/category/${escapeHtml(other)}">${escapeHtml(categoryName(other))}</a>`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(name)} · Harbor Market</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/style.css" />
    <!-- Render-blocking: the grid below is reordered for the shopper before the first paint.
         Engines without blocking="render" hide the grid until then (render-guard.js). -->
    <script src="/render-guard.js"></script>
    <script type="module" blocking="render" src="/category.js"></script>
  </head>
  <body class="category-page">
    <a class="skip-link" href="#grid">Skip to products</a>
    <header class="site-header">
      <a class="brand" href="/" aria-label="Harbor Market, home">
        <span class="brand-mark" aria-hidden="true">H</span>
        <span class="brand-name">Harbor Market</span>
        <span class="brand-tag">Shelfwise demo</span>
      </a>
      <nav class="header-actions" aria-label="Shop">
        <a class="site-header-link" href="/?category=${escapeHtml(encodeURIComponent(slug))}">Search and filter ${escapeHtml(name.toLowerCase())}</a>
        <a class="site-header-link" href="/">All products</a>
      </nav>
    </header>
    <main id="catalogue">
      <nav class="breadcrumb" aria-label="Breadcrumb"><a href="/">Home</a> › <span aria-current="page">${escapeHtml(name)}</span></nav>
      <div class="toolbar"><h1 id="grid-title">${escapeHtml(name)}</h1></div>
      <p class="grid-status" id="grid-status">${products.length} products, in the shop's order.</p>
      <ul class="grid" id="grid" aria-label="Products">
        ${cards.join('\n        ')}
      </ul>
    </main>
    <footer class="site-footer">
      <nav aria-label="Other categories">More to browse: ${others.join(' · ')}</nav>
    </footer>
  </body>
</html>
`;
}

function resolvePath(mounts, urlPath) {
  for (const [prefix, dir] of mounts) {
    if (!urlPath.startsWith(prefix)) continue;
    const relative = normalize(decodeURIComponent(urlPath.slice(prefix.length)) || 'index.html');
    const full = join(dir, relative);
    // Never serve outside the mounted folder.
    if (full !== dir && !full.startsWith(dir + sep)) return null;
    return full;
  }
  return null;
}

/**
 * A static file server for `[urlPrefix, folder]` mounts (first match wins). `shop`: also
 * render the demo's category pages (by default with the shop's own mounts). `page`: a
 * hook every HTML page passes through, `(html, url) => html` (the WebDriver suite adds
 * its console probe there, in browsers whose console WebDriver cannot read).
 */
export function createStaticServer(mounts = SHOP_MOUNTS, { shop = mounts === SHOP_MOUNTS, page: transform = null } = {}) {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let path = null;
    try {
      path = resolvePath(mounts, url.pathname);
    } catch {
      path = null; // malformed percent-encoding
    }
    let stat = null;
    try {
      stat = path ? statSync(path) : null;
      if (stat?.isDirectory()) {
        path = join(path, 'index.html');
        stat = statSync(path);
      }
    } catch {
      stat = null;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const category = shop && url.pathname.match(/^\/category\/([a-z0-9-]+)$/);
    let page = category ? renderCategory(category[1]) : null;
    if (page === null && transform && path && stat?.isFile() && extname(path) === '.html') page = readFileSync(path, 'utf8');
    if (page !== null) {
      if (transform) page = transform(page, url);
      response.writeHead(200, { ...HEADERS, 'Content-Type': MIME['.html'] });
      response.end(request.method === 'HEAD' ? undefined : page);
      return;
    }
    if (!path || !stat?.isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    response.writeHead(200, {
      ...HEADERS,
      'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(path).pipe(response);
  });
}

export function listen(server, port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address()));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 8080);
  const server = createStaticServer();
  listen(server, port)
    .then(({ address, port: bound }) => {
      console.log(`Shelfwise demo shop: http://${address}:${bound}/`);
    })
    .catch((error) => {
      console.error(
        error.code === 'EADDRINUSE'
          ? `serve: port ${port} is in use; run with another, e.g. PORT=8081 npm start`
          : `serve: ${error.message}`,
      );
      process.exit(1);
    });
}
