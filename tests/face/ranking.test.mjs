// The JS face in Node (memory storage): ranking with the shop's rules, reasons in words
// (and in the shop's own words), similar items, bought together, autocomplete, and the
// modules' insights.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

const DAY = 86_400_000;
let clock = Date.UTC(2026, 5, 1);
const now = () => clock;

async function granted(options = {}) {
  const shelf = await Shelfwise.open({ namespace: 'ranking', now, ...options });
  shelf.grantConsent();
  return shelf;
}

const PHONES = [
  { id: 1, category: 'electronics/smartphone', brand: 'Samsung', price: 999 },
  { id: 2, category: 'electronics/smartphone', brand: 'Samsung', price: 899 },
  { id: 3, category: 'electronics/smartphone', brand: 'Apple', price: 1099 },
  { id: 4, category: 'electronics/smartphone', brand: 'Apple', price: 999, stock: 0 },
  { id: 5, category: 'electronics/smartphone', brand: 'Xiaomi', price: 399 },
  { id: 6, category: 'electronics/smartphone', brand: 'Google', price: 699 },
];
const ids = (ranked) => ranked.map((r) => r.product.id);

test('pins, boosts, burials and stock are the shop’s, with or without consent', async () => {
  const shelf = await Shelfwise.open({ namespace: 'rules', now });
  const ranked = shelf.rank(PHONES, { pin: { 6: 0 }, boost: { 5: 3 }, bury: { 1: 0 } });
  assert.deepEqual(ids(ranked), [6, 5, 2, 3, 1, 4], 'pinned, boosted, buried, out of stock last');
  assert.deepEqual(ranked.map((r) => r.reason), ['pinned', 'promoted', 'shop_order', 'shop_order', 'shop_order', 'out_of_stock']);
  assert.equal(ranked[0].why, 'Featured by the shop');
  assert.equal(ranked[2].why, 'In the shop’s own order', 'the shop did not say its order is popularity');
  assert.equal(ranked[2].about, null);
  const byPopularity = shelf.rank(PHONES, { shopOrder: 'popularity' });
  assert.equal(byPopularity[0].why, 'Popular in this shop');
  assert.throws(() => shelf.rank(PHONES, { shopOrder: 'bestselling' }), (error) => error.code === 'invalid_options' && /shopOrder/.test(error.message));
  assert.deepEqual(ids(shelf.rank(PHONES, { outOfStock: 'hide' })), [1, 2, 3, 5, 6]);
  assert.deepEqual(ids(shelf.rank(PHONES, { strength: 0 })), [1, 2, 3, 5, 6, 4]);
  for (const [options, pattern] of [
    [{ outOfStock: 'later' }, /outOfStock/],
    [{ boost: { 1: 0.5 } }, /boost/],
    [{ bury: { 1: 2 } }, /bury/],
    [{ pin: { 1: -1 } }, /pin/],
    [{ strenght: 0.5 }, /unknown option "strenght"/],
    [{ diversity: 2 }, /diversity must be a number from 0 to 1/],
    [{ exploration: Number.NaN }, /exploration/],
  ]) {
    assert.throws(() => shelf.rank(PHONES, options), (error) => error.code === 'invalid_options' && pattern.test(error.message), JSON.stringify(options));
  }
  const strict = await Shelfwise.open({ namespace: 'rules-strict', now, strict: true });
  assert.throws(() => strict.rank([{ id: 1, score: Number.POSITIVE_INFINITY }]), { code: 'invalid_product' });
  assert.equal(shelf.rank([{ id: 1, score: Number.POSITIVE_INFINITY }])[0].reason, 'shop_order', 'lenient: kept, unread');
});

async function appleFan(options) {
  const shelf = await granted(options);
  for (let i = 0; i < 4; i++) shelf.track({ type: 'view', product: PHONES[2] });
  return shelf;
}
const NEW_APPLE = { id: 7, category: 'electronics/smartphone', brand: 'Apple', price: 1199 };

test('reasons say why in the shopper’s words', async () => {
  const shelf = await appleFan({ namespace: 'why' });
  const viewed = shelf.rank(PHONES).find((r) => r.product.id === 3);
  assert.equal(viewed.reason, 'viewed');
  assert.equal(viewed.why, 'You viewed this recently');
  clock += 2 * DAY; // the visit is over: long-term taste remains
  const ranked = shelf.rank([...PHONES, NEW_APPLE]);
  const seven = ranked.find((r) => r.product.id === 7);
  assert.equal(seven.reason, 'interest');
  // The shopper looked at an Apple phone four times: the reason names that, and
  // nothing of product 7's own attributes.
  assert.deepEqual(seven.about, { facet: 'brand', value: 'Apple', label: 'Apple', evidence: 4 });
  assert.equal(seven.why, 'You often look at Apple');
  assert.equal(ranked.find((r) => r.product.id === 4).reason, 'out_of_stock');
  shelf.close();
});

test('a shop words the reasons in its own language', async () => {
  const shelf = await appleFan({
    namespace: 'pourquoi',
    words: { why: (reason, { label }) => (reason === 'interest' && label ? `Parce que vous aimez ${label}` : 'Pour vous') },
  });
  clock += 2 * DAY;
  const seven = shelf.rank([...PHONES, NEW_APPLE]).find((r) => r.product.id === 7);
  assert.equal(seven.why, 'Parce que vous aimez Apple');
  assert.equal(shelf.profile.summary().interests.find((i) => i.facet === 'brand').label, 'Apple', 'labels stay English');
  shelf.close();
});

test('similar items and bought together', async () => {
  const shelf = await granted({ namespace: 'similar' });
  const similar = shelf.similarTo(PHONES[0], PHONES);
  assert.ok(!ids(similar).includes(1), 'not the product itself');
  assert.equal(similar[0].product.id, 2, 'same brand, close price');
  assert.equal(similar[0].reason, 'like_this');
  assert.equal(similar[0].why, 'Similar to this product');

  shelf.track({ type: 'add_to_cart', product: PHONES[5] });
  const together = shelf.boughtTogether([
    { product: PHONES[5], score: 0.9 },
    { product: PHONES[4], score: 0.2 },
    { product: PHONES[1], score: 0.5 },
  ]);
  assert.deepEqual(ids(together), [2, 5], 'the shop’s association order, without what is in the cart');
  assert.throws(() => shelf.boughtTogether([{ product: PHONES[1] }]), { code: 'invalid_product' });
  shelf.close();
});

test('autocomplete mixes recent searches with the shop’s suggestions, reranked', async () => {
  const shelf = await granted({ namespace: 'complete' });
  shelf.track({ type: 'search', query: 'Apple iPhone 15', results: 12 });
  shelf.track({ type: 'search', query: 'apple watch', results: 3 });
  shelf.track({ type: 'search', query: 'samsung', results: 9 });
  for (let i = 0; i < 3; i++) shelf.track({ type: 'view', product: PHONES[1] });
  const completions = shelf.autocomplete('ap', [
    'apple airpods',
    { text: 'apple iphone 15', category: 'electronics/smartphone', brand: 'Apple' },
    { text: 'apps gift card', category: 'gift cards' },
    { text: 'samsung galaxy s24', category: 'electronics/smartphone', brand: 'Samsung' },
  ]);
  assert.deepEqual(completions.slice(0, 2), [
    { text: 'apple watch', source: 'recent', reason: 'recent_search' },
    { text: 'apple iphone 15', source: 'recent', reason: 'recent_search' },
  ]);
  const shop = completions.filter((c) => c.source === 'shop').map((c) => c.text);
  assert.deepEqual([...shop].sort(), ['apple airpods', 'apps gift card', 'samsung galaxy s24']);
  assert.equal(shop[0], 'samsung galaxy s24', 'the brand the shopper looks at leads');
  assert.equal(shelf.autocomplete('ap', ['a', 'b', 'c'], { limit: 3 }).length, 3);
  assert.throws(() => shelf.autocomplete('x', [{ text: 3 }]), { code: 'invalid_product' });
  shelf.close();

  const stranger = await Shelfwise.open({ namespace: 'complete-anon', now });
  assert.deepEqual(stranger.autocomplete('ap', ['apple', 'apricot']).map((c) => c.text), ['apple', 'apricot']);
  stranger.close();
});

test('insights: segment, RFM, cart reminder, replenishment and size suggestions', async () => {
  const shelf = await granted({ namespace: 'insights', config: { segments: { loyalOrders: 3 } } });
  assert.equal(shelf.insights().segment, 'new');
  const coffee = { id: 'coffee', category: 'groceries/coffee', price: 12, currency: 'EUR' };
  const shoe = { id: 'runner', category: 'shoes/running/trail', price: 90, currency: 'EUR', variant: { size: '42' } };
  shelf.track({ type: 'add_to_cart', product: shoe });
  assert.equal(shelf.insights().segment, 'prospect');
  for (let week = 0; week < 3; week++) {
    shelf.track({ type: 'purchase', product: coffee });
    clock += 7 * DAY;
  }
  const insights = shelf.insights();
  assert.equal(insights.segment, 'loyal', 'three orders with loyalOrders: 3');
  assert.deepEqual(insights.rfm, [5, 3, 1], 'last order a week ago, three orders, 36 spent');
  assert.deepEqual(shelf.replenishment().map(({ id, intervalMs }) => [id, intervalMs]), [['coffee', 7 * DAY]]);
  assert.deepEqual(shelf.cartReminder().map((line) => line.id), ['runner']);
  assert.equal(shelf.sizeSuggestion('shoes/running/trail').size, '42');
  assert.equal(shelf.sizeSuggestion('shoes/running/trail/kids').size, '42', 'from the nearest parent');
  assert.equal(shelf.sizeSuggestion('tops'), null);
  assert.deepEqual(shelf.recentlyViewed(), []);
  shelf.track({ type: 'view', product: PHONES[2] });
  shelf.track({ type: 'view', product: PHONES[0] });
  assert.deepEqual(ids(shelf.recentlyViewed(PHONES).map((product) => ({ product }))), [1, 3]);
  await assert.rejects(Shelfwise.open({ config: { segments: { loyalOrders: 1 } } }), { code: 'invalid_options' });
  await assert.rejects(Shelfwise.open({ config: { segments: { lapsedDayz: 9 } } }), { code: 'invalid_options' });
  shelf.close();
});

test('a shop passes its own fitted model; a bad one is a coded error', async () => {
  // A model that trusts the shop's order far more than the shopper's history.
  const shopFirst = await Shelfwise.open({ namespace: 'model-shop', now, model: { base: 50, returned: 0, viewed: 0, gateBias: -50 } });
  const learned = await Shelfwise.open({ namespace: 'model-default', now });
  for (const shelf of [shopFirst, learned]) {
    shelf.grantConsent();
    for (let i = 0; i < 3; i++) shelf.track({ type: 'view', product: PHONES[5] });
  }
  assert.equal(learned.rank(PHONES)[0].product.id, 6, 'the shipped model: the phone just viewed leads');
  assert.deepEqual(ids(shopFirst.rank(PHONES)), [1, 2, 3, 5, 6, 4], 'this model: the shop’s order');
  for (const [model, pattern] of [
    [{ typo: 1 }, /unknown model weight "typo"/],
    [{ returned: 500 }, /model\.returned must be a number from -100 to 100/],
    [{ returned: '2' }, /model\.returned must be a number/],
    ['fast', /model/],
  ]) {
    await assert.rejects(Shelfwise.open({ namespace: 'model-bad', model }), (error) => error.code === 'invalid_options' && pattern.test(error.message), JSON.stringify(model));
  }
  shopFirst.close();
  learned.close();
});
