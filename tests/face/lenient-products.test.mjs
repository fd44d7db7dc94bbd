// Products as shops really send them: numeric strings and lower-case currencies are read
// as meant, and one product that still cannot be read keeps its place in the shop's
// order without personal signals (with a warning) instead of failing the whole list.
// `strict: true` keeps the old, throwing behaviour for development.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

const now = () => Date.UTC(2026, 10, 3, 12);

async function fan(options = {}) {
  const shelf = await Shelfwise.open({ namespace: `lenient${Math.random().toString(36).slice(2)}`, now, ...options });
  shelf.grantConsent();
  for (let i = 0; i < 5; i++) shelf.track({ type: 'view', product: { id: `l${i}`, category: 'laptops', brand: 'Apple', price: '1299.00', currency: 'eur' } });
  return shelf;
}

test('numeric strings and lower-case currencies are read as shops mean them', async () => {
  const shelf = await fan();
  const summary = shelf.profile.summary();
  assert.equal(summary.currency, 'EUR');
  assert.ok(summary.interests.some((i) => i.facet === 'price_band' && i.value === '1000-2500'), 'the price "1299.00" was learned');
  const ranked = shelf.rank([{ id: 'a', category: 'fragrances', price: '12.99' }, { id: 'b', category: 'laptops', price: '999', tags: 'new' }]);
  assert.deepEqual(ranked.map((r) => r.product.id), ['b', 'a']);
  assert.equal(ranked[0].reason, 'interest');
  shelf.close();
});

test('one product that cannot be read keeps its place, without personal signals, and a warning names it', async () => {
  const shelf = await fan();
  const warnings = [];
  shelf.addEventListener('warning', (event) => warnings.push(event.detail));
  const list = [
    { id: 'f1', category: 'fragrances' },
    { id: 'broken', category: 'laptops', brand: 'Apple', price: 'call us' },
    { id: 'f2', category: 'fragrances' },
    { id: 'priced', category: 'laptops', brand: 'Apple', price: -5 },
    { id: 'l9', category: 'laptops', brand: 'Apple' },
    { id: { sku: 1 } },
    { id: 'long', brand: 'x'.repeat(300) },
  ];
  const ranked = shelf.rank(list, { strength: 1 });
  assert.equal(ranked.length, list.length, 'nothing is lost');
  assert.equal(ranked[0].product.id, 'l9', 'the readable laptop is personalized');
  for (const id of ['broken', 'priced', 'long']) {
    const r = ranked.find((x) => x.product.id === id);
    assert.equal(r.reason, 'shop_order', `${id}: no personal signal`);
    assert.equal(r.about, null);
  }
  const unreadable = ranked.find((x) => typeof x.product.id === 'object');
  assert.equal(unreadable.reason, 'shop_order');
  // Unread products stay in the shop's relative order.
  const unreadOrder = ranked.filter((r) => ['broken', 'priced', 'long'].includes(r.product.id)).map((r) => r.product.id);
  assert.deepEqual(unreadOrder, ['broken', 'priced', 'long']);
  assert.deepEqual(warnings.map((w) => w.code), ['product_unread', 'product_unread', 'product_unread', 'product_unread']);
  const said = warnings.map((w) => w.message).join('\n');
  for (const why of [/products\[1\]\.price must be a number/, /products\[5\]\.id/, /index 3: price must be a finite number/, /index 6: brand/]) {
    assert.match(said, why);
  }
  shelf.close();
});

test('strict mode throws for the same list, as during development', async () => {
  const shelf = await fan({ strict: true });
  assert.throws(() => shelf.rank([{ id: 'a' }, { id: 'b', price: 'call us' }]), (error) => error.code === 'invalid_product' && /products\[1\]\.price/.test(error.message));
  assert.throws(() => shelf.rank([{ id: 'a' }, { id: 'b', price: -5 }]), (error) => error.code === 'invalid_product' && /index 1/.test(error.message));
  // What shops mean is still read in strict mode.
  assert.equal(shelf.rank([{ id: 'a', price: '12.99' }]).length, 1);
  shelf.close();
});
