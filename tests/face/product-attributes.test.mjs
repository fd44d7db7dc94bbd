// The JS face in Node (memory storage): tags, variants, shop facets and currency on
// products, click sources, the cart and purchases, and the summary's plain-word labels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

async function granted(config) {
  const shelf = await Shelfwise.open({ namespace: 'attributes', config });
  shelf.grantConsent();
  return shelf;
}

const SHOE = {
  id: 's1',
  title: 'Trail runner',
  category: 'shoes/running',
  brand: 'Northwind',
  price: 89,
  currency: 'EUR',
  tags: ['trail', 'waterproof'],
  variant: { size: '42', color: 'black' },
  facets: { style: 'minimal', material: ['mesh', 'rubber'] },
};

test('tags, variants and shop facets are learned and labelled in plain words', async () => {
  const shelf = await granted();
  assert.equal(shelf.track({ type: 'add_to_cart', product: SHOE, quantity: 2 }), true);
  const summary = shelf.profile.summary();
  const labels = summary.interests.map((interest) => interest.label);
  for (const label of ['Shoes › Running', 'Northwind', 'Prices 50-100 EUR', '#trail', 'Colour: black', 'Style: minimal', 'Material: mesh']) {
    assert.ok(labels.includes(label), `${label} in ${labels.join(' | ')}`);
  }
  assert.ok(!summary.interests.some((interest) => interest.facet === 'size'), 'sizes are per category');
  assert.deepEqual(summary.cart.map(({ id, quantity }) => [id, quantity]), [['s1', 2]]);
  assert.equal(summary.currency, 'EUR');

  shelf.track({ type: 'purchase', items: [{ product: SHOE, quantity: 2 }] });
  const after = shelf.profile.summary();
  assert.deepEqual(after.cart, [], 'bought: out of the cart');
  assert.deepEqual(after.purchases.map(({ id, orders, units }) => [id, orders, units]), [['s1', 1, 2]]);
  assert.equal(after.spend, 178);
});

test('a stated preference on a shop facet moves products that carry it', async () => {
  const shelf = await granted();
  const grid = [
    { id: 'loud', facets: { style: 'baroque' } },
    { id: 'plain', facets: { style: 'minimal' } },
  ];
  shelf.profile.setPreference('style', 'minimal');
  assert.deepEqual(shelf.rank(grid, { strength: 1 }).map((r) => r.product.id), ['plain', 'loud']);
});

test('sensitive facets configured by the shop are never learned', async () => {
  const shelf = await granted({ sensitiveFacets: ['tag:pregnancy', 'religion'] });
  assert.equal(shelf.track({ type: 'view', product: { id: 'kit', brand: 'Acme', tags: ['Pregnancy'] } }), false);
  assert.equal(shelf.track({ type: 'view', product: { id: 'book', brand: 'Press', facets: { religion: 'x' } } }), true);
  const facets = shelf.profile.summary().interests.map((interest) => interest.facet);
  assert.deepEqual([...new Set(facets)], ['brand']);
  assert.equal(shelf.profile.summary().interests[0].value, 'Press');
});

test('bad attributes and click sources are coded errors that change nothing', async () => {
  const shelf = await granted();
  const bad = [
    { type: 'view', product: { id: 1, tags: [1] } },
    { type: 'view', product: { id: 1, variant: { size: 42 } } },
    { type: 'view', product: { id: 1, facets: { style: [1] } } },
    { type: 'view', product: { id: 1, facets: { Style: 'x' } } },
    { type: 'view', product: { id: 1, facets: { brand: 'x' } } },
    { type: 'view', product: { id: 1, currency: 'euro' } },
    { type: 'view', product: { id: 1 }, module: 'similar' },
    { type: 'click', product: { id: 1 }, module: 3 },
  ];
  for (const event of bad) {
    assert.throws(() => shelf.track(event), { name: 'ShelfwiseError', code: 'invalid_event' }, JSON.stringify(event));
  }
  assert.equal(shelf.profile.summary().events, 0);
  // A facet may not pass itself off as a product's own field, in ranking either: strict
  // ranking throws, lenient ranking keeps the product unread and warns.
  const strict = await Shelfwise.open({ namespace: 'attributes-strict', strict: true });
  const warnings = [];
  shelf.addEventListener('warning', (event) => warnings.push(event.detail.code));
  for (const name of ['brand', 'category', 'price_band']) {
    assert.throws(() => strict.rank([{ id: 1, facets: { [name]: 'x' } }]), { name: 'ShelfwiseError', code: 'invalid_product' }, name);
    assert.equal(shelf.rank([{ id: 1, facets: { [name]: 'x' } }])[0].reason, 'shop_order', name);
  }
  assert.deepEqual(warnings, ['product_unread', 'product_unread', 'product_unread']);
  // One tag alone is a list of one.
  assert.equal(shelf.track({ type: 'view', product: { id: 2, tags: 'trail' } }), true);
  assert.ok(shelf.profile.summary().interests.some((i) => i.facet === 'tag' && i.value === 'trail'));
  assert.equal(shelf.track({ type: 'click', product: { id: 1 }, module: 'similar', slot: '2' }), true);
  assert.equal(shelf.profile.summary().events, 2);
});
