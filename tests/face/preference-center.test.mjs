// The preference center through the npm package: forgetting forgets what the same
// products taught, strength is by evidence, and "not interested" is listed and undone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

let clock = Date.UTC(2026, 10, 3, 12);
const now = () => clock;
const iphone = (id) => ({ id, category: 'electronics/smartphones', brand: 'Apple', price: 999, currency: 'EUR', tags: ['apple'] });
const galaxy = (id) => ({ id, category: 'electronics/smartphones', brand: 'Samsung', price: 899, currency: 'EUR' });

test('forgetting Apple takes back what the iPhones taught, and iPhones are no longer first', async () => {
  const shelf = await Shelfwise.open({ namespace: 'forget', now });
  shelf.grantConsent();
  for (let i = 0; i < 4; i++) {
    clock += 60_000;
    shelf.track({ type: 'view', product: galaxy(`g${i % 2}`) });
  }
  for (let i = 0; i < 9; i++) {
    clock += 60_000;
    shelf.track({ type: 'view', product: iphone(`i${i % 3}`) });
  }
  const list = [galaxy('g7'), iphone('i7'), galaxy('g0'), iphone('i0')];
  assert.equal(shelf.rank(list, { strength: 1 })[0].product.brand, 'Apple', 'before: the Apple fan sees Apple first');
  const interest = (facet, value) => shelf.profile.summary().interests.find((i) => i.facet === facet && i.value === value);
  const samsung = interest('brand', 'Samsung');
  assert.ok(interest('tag', 'apple'));

  assert.equal(shelf.profile.forget('brand', 'Apple'), true);
  assert.equal(interest('brand', 'Apple'), undefined);
  assert.equal(interest('tag', 'apple'), undefined, 'the iPhones taught #apple too');
  assert.equal(interest('category', 'electronics/smartphones').evidence, 4, 'only the Galaxies are left behind smartphones');
  assert.deepEqual(shelf.profile.summary().recentlyViewed, ['g1', 'g0']);
  assert.deepEqual(interest('brand', 'Samsung'), samsung, 'Samsung keeps its strength: it is by evidence, not relative');
  const after = shelf.rank(list, { strength: 1 });
  assert.equal(after[0].product.brand, 'Samsung', after.map((r) => `${r.product.id} ${r.why}`).join(', '));
  assert.ok(after.every((r) => !/apple/i.test(r.why)), 'no reason names Apple any more');
  shelf.close();
});

test('"not interested" is listed in the summary and can be undone', async () => {
  const shelf = await Shelfwise.open({ namespace: 'dismiss', now });
  shelf.grantConsent();
  const phones = [galaxy('g1'), galaxy('g2'), iphone('i1')];
  shelf.profile.notInterested({ product: phones[0] });
  shelf.profile.notInterested({ facet: 'brand', value: 'Apple' });
  const summary = shelf.profile.summary();
  assert.deepEqual(summary.hiddenProducts, ['g1']);
  assert.deepEqual(summary.stated, [['brand', 'Apple', -1]]);
  assert.deepEqual(shelf.rank(phones).map((r) => [r.product.id, r.reason]), [
    ['g2', 'shop_order'],
    ['g1', 'not_interested'],
    ['i1', 'not_interested'],
  ]);

  shelf.profile.undoNotInterested({ product: phones[0] });
  shelf.profile.undoNotInterested({ facet: 'brand', value: 'Apple' });
  const undone = shelf.profile.summary();
  assert.deepEqual(undone.hiddenProducts, []);
  assert.deepEqual(undone.stated, []);
  assert.deepEqual(shelf.rank(phones).map((r) => r.product.id), ['g1', 'g2', 'i1'], 'the shop order again');
  shelf.close();
});
