// The JS face in Node: view dwell, quantities and a purchase's line items.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

async function granted() {
  const shelf = await Shelfwise.open({ namespace: 'details' });
  shelf.grantConsent();
  return shelf;
}

test("a purchase's line items are one order, with quantities in the spend", async () => {
  const shelf = await granted();
  const learned = shelf.track({
    type: 'purchase',
    items: [
      { product: { id: 1, category: 'coffee', price: 12 }, quantity: 3 },
      { product: { id: 2, category: 'filters', price: 4.5 } },
    ],
  });
  assert.equal(learned, true);
  const summary = shelf.profile.summary();
  assert.deepEqual([summary.orders, summary.events], [1, 2]);
  assert.deepEqual(summary.interests.filter((i) => i.facet === 'category').map((i) => i.value).sort(), ['coffee', 'filters']);
});

test('a long look counts more than a bounce', async () => {
  const shelf = await granted();
  shelf.track({ type: 'view', product: { id: 'a', brand: 'Long' }, dwellMs: 60_000 });
  shelf.track({ type: 'view', product: { id: 'b', brand: 'Bounce' }, dwellMs: 500 });
  const brands = shelf.profile.summary().interests.filter((i) => i.facet === 'brand');
  assert.deepEqual(brands.map((i) => i.value), ['Long', 'Bounce']);
  // Strength by evidence: a minute's look weighs 3 views (3 / (3 + 3)), a bounce a fifth of one.
  assert.equal(brands[0].strength, 0.5, JSON.stringify(brands));
  assert.ok(Math.abs(brands[1].strength - 0.2 / 3.2) < 1e-9, JSON.stringify(brands));
});

test('a bad line item rejects the whole purchase and leaves nothing pending', async () => {
  const shelf = await granted();
  const bad = [
    { type: 'purchase', items: [{ product: { id: 1 } }, { product: { id: {} } }] },
    { type: 'purchase', items: [{ product: { id: 1 } }, { product: { id: 2, price: -3 } }] },
    { type: 'purchase', items: [{ product: { id: 1 }, quantity: 0 }] },
    { type: 'purchase', items: 'all' },
    { type: 'purchase', items: [], product: { id: 1 } },
    { type: 'view', items: [{ product: { id: 1 } }, { product: { id: 2 } }] },
    { type: 'click', product: { id: 1 }, dwellMs: 10 },
    { type: 'view', product: { id: 1 }, quantity: 2 },
  ];
  const grid = () => shelf.rank([{ id: 'x' }, { id: 'y' }]).map((r) => r.product?.id);
  for (const event of bad) {
    assert.throws(() => shelf.track(event), { name: 'ShelfwiseError', code: 'invalid_event' }, JSON.stringify(event));
    // Each failed call, including one that stops in JavaScript after an item was handed over.
    assert.deepEqual(grid(), ['x', 'y'], `nothing left over after ${JSON.stringify(event)}`);
  }
  assert.equal(shelf.profile.summary().events, 0);
  const ranked = shelf.rank([{ id: 'x' }, { id: 'y' }]);
  assert.deepEqual(ranked.map((r) => r.product.id), ['x', 'y'], 'no product left over from a failed call');
});

test('searches are kept in lower case with single spaces, newest first', async () => {
  const shelf = await granted();
  assert.equal(shelf.track({ type: 'search', query: '  Trail   RUNNING shoes ', results: 12 }), true);
  assert.equal(shelf.track({ type: 'search', query: 'Ärmel', results: 0 }), false, 'found nothing: not kept');
  assert.equal(shelf.track({ type: 'search', query: 'Öl' }), true);
  assert.equal(shelf.track({ type: 'search', query: 'trail running shoes' }), true);
  assert.deepEqual(shelf.profile.summary().recentSearches, ['trail running shoes', 'öl']);
  for (const event of [{ type: 'search' }, { type: 'search', query: 'x', results: 'many' }, { type: 'search', query: 'x', page: 2 }]) {
    assert.throws(() => shelf.track(event), { name: 'ShelfwiseError', code: 'invalid_event' }, JSON.stringify(event));
  }
});
