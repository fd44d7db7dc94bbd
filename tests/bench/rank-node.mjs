// Ranking in Node, steadier than the browser bench's few samples: the browser bench's
// 10,000-product catalogue after the same 2,000 events, then p50 milliseconds of ranking
// N products warm (the same objects again) and cold (fresh objects parsed from JSON, made
// outside the timing), on the built package or on another build's dist/ (to compare two
// builds on one machine, run them in turns).
// Usage: node tests/bench/rank-node.mjs [DIST] [N=1000]   (after `npm run build`)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? new URL('../../dist', import.meta.url).pathname);
const size = Number(process.argv[3] ?? 1000);
const { Shelfwise } = await import(pathToFileURL(`${dist}/node.js`).href);

/** The browser bench's generator (mulberry32) and catalogue, so both see the same data. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const CATEGORIES = ['laptops', 'smartphones', 'shoes/running', 'shoes/trail', 'tops', 'beauty', 'groceries', 'furniture'];
const BRANDS = ['Apple', 'Samsung', 'Nike', 'Adidas', 'Dior', 'Ikea', 'Acme', 'Lenovo', 'Asus', 'Puma'];
const TAGS = ['new', 'sale', 'vegan', 'eco', 'bestseller'];
const next = random(42);
const pick = (list) => list[Math.floor(next() * list.length)];
const products = Array.from({ length: 10_000 }, (_, i) => ({
  id: i + 1,
  category: pick(CATEGORIES),
  brand: pick(BRANDS),
  price: Math.round(next() * 200000) / 100,
  currency: 'EUR',
  tags: [pick(TAGS)],
  facets: { colour: pick(['black', 'white', 'red', 'blue']) },
}));

let now = Date.UTC(2026, 0, 1);
const shelf = await Shelfwise.open({ namespace: 'rank-node', now: () => now, flushDelayMs: 1e9 });
shelf.grantConsent();
const kinds = ['view', 'view', 'view', 'view', 'click', 'add_to_cart', 'wishlist', 'purchase'];
for (let i = 0; i < 2_000; i++) {
  now += 60_000;
  shelf.track({ type: kinds[Math.floor(next() * kinds.length)], product: products[Math.floor(next() * products.length)] });
}

const list = products.slice(0, size);
const json = JSON.stringify(list);
/** p50 in milliseconds of ranking `input()`'s products, `samples` times after a warm-up. */
function p50(input, samples) {
  for (let i = 0; i < 50; i++) shelf.rank(input());
  const times = [];
  for (let i = 0; i < samples; i++) {
    const products = input();
    const start = performance.now();
    shelf.rank(products);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}
const samples = Math.max(200, Math.round(2_000_000 / size));
const warm = p50(() => list, samples);
const cold = p50(() => JSON.parse(json), Math.round(samples / 3));
console.log(`rank ${size} in Node, ${dist}: warm ${warm.toFixed(3)} ms, cold ${cold.toFixed(3)} ms (p50)`);
shelf.profile.erase();
shelf.close();
process.exit(0);
