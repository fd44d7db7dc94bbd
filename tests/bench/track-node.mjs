// `track()` in Node, steadier than the browser bench's short run: microseconds per event
// for products never seen before and for products seen again, on the built package or
// on another build's dist/ (to compare two builds on one machine, run them in turns).
// Usage: node tests/bench/track-node.mjs [DIST]   (after `npm run build`)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? new URL('../../dist', import.meta.url).pathname);
const { Shelfwise } = await import(pathToFileURL(`${dist}/node.js`).href);

let now = Date.UTC(2026, 0, 1);
const product = (i) => ({
  id: `p${i}`,
  category: `c${i % 150}/s${i % 7}`,
  brand: `b${i % 400}`,
  price: 10 + (i % 500),
  currency: 'EUR',
  tags: [`t${i % 60}`],
});

async function perEvent(namespace, events, productOf) {
  const shelf = await Shelfwise.open({ namespace, now: () => now, flushDelayMs: 1e9 });
  shelf.grantConsent();
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    now += 1000;
    shelf.track({ type: 'view', product: productOf(i) });
    // Written as a page would between events; the writing is part of the cost.
    if (i % 1000 === 999) shelf.flush();
  }
  const us = ((performance.now() - started) * 1000) / events;
  shelf.profile.erase();
  shelf.close();
  return us;
}

const fresh = Array.from({ length: 60_000 }, (_, i) => product(i));
const known = Array.from({ length: 200 }, (_, i) => product(i));
const newUs = await perEvent('new', fresh.length, (i) => fresh[i]);
const knownUs = await perEvent('known', 100_000, (i) => known[i % known.length]);
console.log(`track() in Node, ${dist}: new products ${newUs.toFixed(1)} µs per event, known products ${knownUs.toFixed(1)} µs per event`);
process.exit(0);
