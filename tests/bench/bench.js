// The in-browser half of `npm run bench` (pkg-scripts/bench.mjs serves and drives it):
// times the npm package's public API as a storefront calls it. Figures only; nothing
// here asserts a time.
import { Shelfwise } from '/dist/index.js';
import { ReferenceProfile } from './reference.js';

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

/** p50/p95 in milliseconds of `fn(input)` over fresh inputs (`make()` per call, made outside the timing). */
function timeFresh(fn, make, samples) {
  fn(make());
  const start = performance.now();
  fn(make());
  const once = Math.max(performance.now() - start, 0.001);
  const batch = Math.max(1, Math.ceil(2 / once));
  const results = [];
  for (let s = 0; s < samples; s++) {
    const inputs = Array.from({ length: batch }, make);
    const t0 = performance.now();
    for (const input of inputs) fn(input);
    results.push((performance.now() - t0) / batch);
  }
  results.sort((a, b) => a - b);
  return { p50: percentile(results, 50), p95: percentile(results, 95), batch };
}

/**
 * Shelfwise against the plain-JS reference (reference.js) in one page, on the same
 * 10,000-product catalogue after the same 2,000 events: `track()`, then ranking fresh
 * product objects (cold: what a page does after parsing its product JSON) and the same
 * objects again (warm).
 */
async function compare(products, next) {
  let now = Date.UTC(2026, 0, 1);
  const shelf = await Shelfwise.open({ namespace: 'compare', now: () => now, flushDelayMs: 600_000 });
  shelf.grantConsent();
  const reference = new ReferenceProfile();
  const kinds = ['view', 'view', 'view', 'view', 'click', 'add_to_cart', 'wishlist', 'purchase'];
  const events = Array.from({ length: 2_000 }, () => ({
    type: kinds[Math.floor(next() * kinds.length)],
    product: products[Math.floor(next() * products.length)],
  }));
  const trackOne = (track) => {
    const t0 = performance.now();
    for (const event of events) {
      now += 60_000;
      track(event);
    }
    return ((performance.now() - t0) * 1000) / events.length;
  };
  const startMs = now;
  const track = {
    shelfwise: trackOne((event) => shelf.track(event)),
    reference: (() => {
      now = startMs;
      return trackOne((event) => reference.track(event.type, event.product, now));
    })(),
  };
  const rank = {};
  for (const size of [100, 1_000, 10_000]) {
    const list = products.slice(0, size);
    const json = JSON.stringify(list);
    const samples = size === 10_000 ? 15 : 30;
    rank[size] = {
      cold: {
        shelfwise: timeFresh((fresh) => shelf.rank(fresh), () => JSON.parse(json), samples),
        reference: timeFresh((fresh) => reference.rank(fresh, now), () => JSON.parse(json), samples),
      },
      warm: {
        shelfwise: time(() => shelf.rank(list), samples * 2),
        reference: time(() => reference.rank(list, now), samples * 2),
      },
    };
  }
  shelf.profile.erase();
  shelf.close();
  return { track, rank };
}

async function run() {
  localStorage.clear();
  const next = random(42);
  const products = catalogue(10_000, next);
  const compared = await compare(products, next);
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
  // Moving the profile to another device: the files' sizes, deriving the key (PBKDF2,
  // 600,000 iterations) as encrypting and decrypting do, and a merge into another profile.
  const plainFile = shelf.profile.export();
  let t0 = performance.now();
  const sealedFile = await shelf.profile.export({ passphrase: 'bench passphrase' });
  const sealMs = performance.now() - t0;
  shelf.close();
  const other = await Shelfwise.open({ namespace: 'bench-other', now: clock });
  other.grantConsent();
  for (let i = 0; i < 200; i++) other.track({ type: 'view', product: products[products.length - 1 - i] });
  other.flush();
  t0 = performance.now();
  await other.profile.import(sealedFile, { mode: 'merge', passphrase: 'bench passphrase' });
  const openAndMergeMs = performance.now() - t0;
  t0 = performance.now();
  await other.profile.import(plainFile, { mode: 'merge' });
  const mergeMs = performance.now() - t0;
  other.profile.erase();
  other.close();
  return {
    moving: { plainBytes: plainFile.length, sealedBytes: sealedFile.length, sealMs, openAndMergeMs, mergeMs },
    compared,
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
