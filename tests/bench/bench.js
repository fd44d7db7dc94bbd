// The in-browser half of `npm run bench` (pkg-scripts/bench.mjs serves and drives it):
// times the npm package's public API as a storefront calls it. Figures only; nothing
// here asserts a time.
import { Shelfwise } from '/dist/index.js';

const CATEGORIES = ['laptops', 'smartphones', 'shoes/running', 'shoes/trail', 'tops', 'beauty', 'groceries', 'furniture'];
const BRANDS = ['Apple', 'Samsung', 'Nike', 'Adidas', 'Dior', 'Ikea', 'Acme', 'Lenovo', 'Asus', 'Puma'];
const TAGS = ['new', 'sale', 'vegan', 'eco', 'bestseller'];

/** A deterministic pseudo-random generator (mulberry32), so every run sees the same data. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function catalogue(count, next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    category: pick(CATEGORIES),
    brand: pick(BRANDS),
    price: Math.round(next() * 200000) / 100,
    currency: 'EUR',
    tags: [pick(TAGS)],
    facets: { colour: pick(['black', 'white', 'red', 'blue']) },
  }));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

/** p50/p95 of `fn` in milliseconds; calls are batched so each sample is well above the timer's resolution. */
function time(fn, samples) {
  fn();
  const start = performance.now();
  fn();
  const once = Math.max(performance.now() - start, 0.001);
  const batch = Math.max(1, Math.ceil(2 / once));
  const results = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let b = 0; b < batch; b++) fn();
    results.push((performance.now() - t0) / batch);
  }
  results.sort((a, b) => a - b);
  return { p50: percentile(results, 50), p95: percentile(results, 95), batch };
}

/** Waits for Shelfwise's compaction after a write (it settles 300 ms, then takes a Web Lock). */
function settle() {
  return new Promise((resolve) => setTimeout(resolve, 1_000));
}

/** Bytes (key and value) of the localStorage entries whose key starts with `prefix`. */
function storedBytes(prefix) {
  let bytes = 0;
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key.startsWith(prefix) && (prefix.endsWith(':') || key === prefix)) bytes += key.length + localStorage.getItem(key).length;
  }
  return bytes;
}

async function run() {
  localStorage.clear();
  const next = random(42);
  const products = catalogue(10_000, next);
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;

  // A full profile: 100,000 events over 90 days (views, carts, purchases, searches).
  let shelf = await Shelfwise.open({ namespace: 'bench', now: clock, flushDelayMs: 60_000 });
  shelf.grantConsent();
  const EVENTS = 100_000;
  const kinds = ['view', 'view', 'view', 'view', 'click', 'add_to_cart', 'wishlist', 'purchase'];
  let pausedMs = 0;
  const trackStart = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    now += 77_760; // 90 days / 100,000
    const product = products[Math.floor(next() * products.length)];
    const type = kinds[Math.floor(next() * kinds.length)];
    shelf.track({ type, product });
    if (i % 10_000 === 9_999) {
      // Writes, then lets the compaction that writing schedules run, as between page
      // events; the waiting is not counted.
      shelf.flush();
      const paused = performance.now();
      await settle();
      pausedMs += performance.now() - paused;
    }
  }
  const trackMs = performance.now() - trackStart - pausedMs;
  shelf.flush();
  await settle();
  // A little later, the next compaction confirms what the last one folded in, so the
  // journals shrink to what is new.
  now += 10_000;
  for (let i = 0; i < 64; i++) shelf.track({ type: 'view', product: products[i] });
  shelf.flush();
  await settle();
  shelf.close();
  const profileBytes = storedBytes('shelfwise:bench:v3');
  const storedTotal = storedBytes('shelfwise:');

  // open() on the full profile (the module is already loaded, as on every page after the first).
  const opens = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    const opened = await Shelfwise.open({ namespace: 'bench', now: clock });
    opens.push(performance.now() - t0);
    opened.close();
  }
  opens.sort((a, b) => a - b);

  shelf = await Shelfwise.open({ namespace: 'bench', now: clock });
  const rerank = {};
  for (const size of [100, 1_000, 10_000]) {
    const list = products.slice(0, size);
    rerank[size] = time(() => shelf.rank(list, { strength: 0.5 }), size === 10_000 ? 30 : 100);
  }
  shelf.close();
  return {
    rerank,
    openMs: { p50: percentile(opens, 50), p95: percentile(opens, 95) },
    trackUs: (trackMs * 1000) / EVENTS,
    events: EVENTS,
    profileBytes,
    storedTotal,
  };
}

run().then(
  (result) => {
    window.__bench = result;
  },
  (error) => {
    window.__bench = { error: String(error?.stack ?? error) };
  },
);
