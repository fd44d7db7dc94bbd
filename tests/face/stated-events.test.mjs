// The JS face in Node (memory storage): `preference` and `not_interested` events, which
// the face turns into the preference center's calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

const GRID = [
  { id: 'a', category: 'shoes', brand: 'Northwind' },
  { id: 'b', category: 'shoes', brand: 'Acme' },
  { id: 'c', category: 'bags', brand: 'Northwind' },
];

const order = (shelf) => shelf.rank(GRID, { strength: 1 }).map((ranked) => ranked.product.id);

async function granted() {
  const shelf = await Shelfwise.open({ namespace: 'face' });
  shelf.grantConsent();
  return shelf;
}

test('stated events before consent are not kept', async () => {
  const shelf = await Shelfwise.open({ namespace: 'face' });
  assert.equal(shelf.track({ type: 'preference', facet: 'brand', value: 'Acme' }), false);
  assert.equal(shelf.track({ type: 'not_interested', product: { id: 'a' } }), false);
  shelf.grantConsent();
  const summary = shelf.profile.summary();
  assert.deepEqual([summary.stated, summary.hiddenProducts], [[], []]);
});

test('a preference event is a stated preference and lifts the brand', async () => {
  const shelf = await granted();
  assert.deepEqual(order(shelf), ['a', 'b', 'c']);
  assert.equal(shelf.track({ type: 'preference', facet: 'brand', value: 'Acme', weight: 0.8 }), true);
  assert.deepEqual(shelf.profile.summary().stated, [['brand', 'Acme', 0.8]]);
  assert.equal(order(shelf)[0], 'b');
});

test('not_interested events hide a product or a facet value', async () => {
  const shelf = await granted();
  assert.equal(shelf.track({ type: 'not_interested', product: { id: 'a' } }), true);
  assert.deepEqual(shelf.profile.summary().hiddenProducts, ['a']);
  assert.equal(order(shelf).at(-1), 'a');
  assert.equal(shelf.track({ type: 'not_interested', facet: 'category', value: 'bags' }), true);
  assert.deepEqual(shelf.profile.summary().stated, [['category', 'bags', -1]]);
  assert.deepEqual(order(shelf), ['b', 'a', 'c'], 'everything dismissed goes last, keeping its order');
});

test('malformed stated events are invalid_event errors and change nothing', async () => {
  const shelf = await granted();
  const bad = [
    { type: 'preference', facet: 'Style!', value: 'minimal' },
    { type: 'preference', facet: 'brand', value: 'Acme', weight: 2 },
    { type: 'preference', facet: 'brand', value: 'Acme', weight: '1' },
    { type: 'preference', facet: 'brand', value: '' },
    { type: 'preference', facet: 'brand', value: 'Acme', product: { id: 'a' } },
    { type: 'not_interested', product: { id: -1 } },
    { type: 'not_interested', facet: 'brand' },
  ];
  for (const event of bad) {
    assert.throws(() => shelf.track(event), { name: 'ShelfwiseError', code: 'invalid_event' }, JSON.stringify(event));
  }
  const summary = shelf.profile.summary();
  assert.deepEqual([summary.stated, summary.hiddenProducts, summary.events], [[], [], 0]);
});
