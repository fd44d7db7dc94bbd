// Explanations are true: over random shoppers and random lists, every reason names only
// what that shopper did or said (the facts are checked against what the test itself
// tracked, not against Shelfwise's own account), and never the product's own brand or
// category in its place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGLISH, Shelfwise } from '../../dist/node.js';

/** A small seeded generator (mulberry32), so a failure names its seed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['electronics/smartphones', 'electronics/laptops', 'electronics/mobile-accessories', 'beauty/fragrances', 'womens-shoes', 'groceries'];
const BRANDS = ['Apple', 'Samsung', 'Calvin Klein', 'Nike', 'Dior'];
const TAGS = ['vegan', 'sale', 'new', 'gift'];
const BAND_EDGES = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const BAND_LABELS = ['0-10', '10-25', '25-50', '50-100', '100-250', '250-500', '500-1000', '1000-2500', '2500-5000', '5000+'];
const band = (price) => BAND_LABELS[BAND_EDGES.filter((edge) => price >= edge).length];

function product(next, id) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  return {
    id,
    ...(next() < 0.9 ? { category: pick(CATEGORIES) } : {}),
    ...(next() < 0.8 ? { brand: pick(BRANDS) } : {}),
    ...(next() < 0.8 ? { price: Math.round(next() * 3000 * 100) / 100, currency: 'EUR' } : {}),
    ...(next() < 0.4 ? { tags: [pick(TAGS)] } : {}),
  };
}

/** Every facet value a product teaches: its category and the levels above, brand, price band, tags. */
function factsOf(p) {
  const facts = [];
  if (p.category) {
    const levels = p.category.split('/');
    levels.forEach((_, i) => facts.push(`category=${levels.slice(0, i + 1).join('/')}`));
  }
  if (p.brand) facts.push(`brand=${p.brand}`);
  if (p.price !== undefined) facts.push(`price_band=${band(p.price)}`);
  for (const tag of p.tags ?? []) facts.push(`tag=${tag}`);
  return facts;
}

test('every reason names only what the shopper did or said', async () => {
  let clock = Date.UTC(2026, 10, 2);
  const now = () => clock;
  let checked = 0;
  const seen = new Set();
  for (let seed = 1; seed <= 40; seed++) {
    const next = random(seed);
    const shelf = await Shelfwise.open({ namespace: `truth${seed}`, now });
    shelf.grantConsent();
    const pool = Array.from({ length: 30 }, (_, i) => product(next, `p${i}`));
    // What the shopper did and said, as this test saw it.
    const learned = new Set();
    const viewed = new Set();
    const cart = new Set();
    const bought = new Set();
    const liked = new Set();
    const disliked = new Set();
    const hidden = new Set();
    const actedOn = new Set();
    for (let i = Math.floor(next() * 25); i > 0; i--) {
      const p = pool[Math.floor(next() * pool.length)];
      const type = ['view', 'view', 'view', 'click', 'add_to_cart', 'wishlist', 'purchase'][Math.floor(next() * 7)];
      if (type === 'purchase') shelf.track({ type, items: [{ product: p }] });
      else shelf.track({ type, product: p });
      for (const fact of factsOf(p)) learned.add(fact);
      actedOn.add(p.id);
      if (type === 'view') viewed.add(p.id);
      if (type === 'add_to_cart') cart.add(p.id);
      if (type === 'purchase') {
        bought.add(p.id);
        cart.delete(p.id);
      }
      clock += Math.floor(next() * 3_600_000);
    }
    if (next() < 0.5) {
      const brand = BRANDS[Math.floor(next() * BRANDS.length)];
      const weight = next() < 0.7 ? 1 : -1;
      shelf.profile.setPreference('brand', brand, weight);
      (weight > 0 ? liked : disliked).add(`brand=${brand}`);
    }
    if (next() < 0.3) {
      const p = pool[Math.floor(next() * pool.length)];
      shelf.profile.notInterested({ product: p });
      hidden.add(p.id);
    }
    // Ranked in the same visit, or days later (long-term taste only).
    clock += Math.floor(next() * (next() < 0.5 ? 600_000 : 3 * 86_400_000));
    const list = [...pool.filter(() => next() < 0.6), ...Array.from({ length: 10 }, (_, i) => product(next, `new${i}`))];
    for (const ranked of shelf.rank(list, { strength: 0.3 + next() * 0.7 })) {
      const p = ranked.product;
      const { reason, about, why } = ranked;
      const at = `seed ${seed}, product ${p.id}, ${reason}: "${why}"`;
      seen.add(reason);
      checked++;
      assert.equal(why, ENGLISH.why(reason, { ...about }), at);
      switch (reason) {
        case 'interest':
          assert.ok(about && learned.has(`${about.facet}=${about.value}`), `${at}: the shopper never acted on ${about?.facet}=${about?.value}`);
          assert.ok(about.evidence >= 1, at);
          assert.ok(factsOf(p).includes(`${about.facet}=${about.value}`), `${at}: the interest is one the product has`);
          break;
        case 'stated':
          assert.ok(about && liked.has(`${about.facet}=${about.value}`), `${at}: the shopper never said so`);
          break;
        case 'viewed':
          assert.ok(viewed.has(p.id), at);
          break;
        case 'returned':
          assert.ok(actedOn.has(p.id), `${at}: the shopper never acted on it`);
          break;
        case 'similar':
          assert.ok(viewed.size > 0, at);
          break;
        case 'in_cart':
          assert.ok(cart.has(p.id), at);
          break;
        case 'bought_recently':
          assert.ok(bought.has(p.id), at);
          break;
        case 'not_interested':
          assert.ok(hidden.has(p.id) || factsOf(p).some((fact) => disliked.has(fact)), at);
          break;
        default:
          assert.equal(about, null, at);
      }
      // The product's own brand or category is named only when it is the shopper's interest.
      if (p.brand && why.includes(p.brand)) assert.equal(about?.value, p.brand, `${at}: names the product's brand`);
      for (const level of p.category?.split('/') ?? []) {
        if (why.toLowerCase().includes(level.replace(/-/g, ' '))) assert.ok(about?.facet === 'category', `${at}: names the product's category`);
      }
    }
    shelf.close();
  }
  assert.ok(checked > 1000, `${checked} reasons checked`);
  for (const reason of ['interest', 'stated', 'viewed', 'shop_order', 'not_interested']) {
    assert.ok(seen.has(reason), `the scenarios reach "${reason}" (saw ${[...seen].join(', ')})`);
  }
});

test('slugs read as words, and the shop names its own values', async () => {
  const now = () => Date.UTC(2026, 10, 2);
  const phone = { id: 'x', category: 'electronics/mobile-accessories', brand: 'Apple', price: 19, currency: 'EUR' };
  const plain = await Shelfwise.open({ namespace: 'labels1', now });
  plain.grantConsent();
  for (let i = 0; i < 3; i++) plain.track({ type: 'view', product: phone });
  const labels = plain.profile.summary().interests.map((i) => i.label);
  assert.ok(labels.includes('Electronics › Mobile accessories'), labels.join(' | '));
  plain.close();

  const named = await Shelfwise.open({
    namespace: 'labels2',
    now,
    labels: { category: { electronics: 'Tech', 'electronics/mobile-accessories': 'Phone cases & chargers' } },
  });
  named.grantConsent();
  for (let i = 0; i < 3; i++) named.track({ type: 'view', product: phone });
  const namedLabels = named.profile.summary().interests.map((i) => i.label);
  assert.ok(namedLabels.includes('Tech › Phone cases & chargers'), namedLabels.join(' | '));
  assert.ok(namedLabels.includes('Tech'), namedLabels.join(' | '));
  named.close();
});
