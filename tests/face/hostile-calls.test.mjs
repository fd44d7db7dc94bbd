// Every malformed call on the public JS API (wrong types, missing fields, huge inputs,
// NaN, prototype-polluting objects, throwing getters and proxies) throws a typed Error
// with a code, never anything else, and leaves the profile as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

const CODES = new Set(['invalid_event', 'invalid_product', 'invalid_options', 'invalid_argument', 'invalid_import', 'consent_required']);
const now = () => Date.UTC(2026, 10, 21, 12);

const throwing = { get id() { throw new Error('a getter that throws'); } };
const proxy = new Proxy({}, { get() { throw new Error('a proxy that throws'); }, ownKeys() { throw new Error('no keys'); } });
const polluting = JSON.parse('{"__proto__": {"polluted": true, "strength": 1}, "id": "p", "category": "x"}');
const huge = 'x'.repeat(1_000_000);

/** [name, call] pairs; each must throw a ShelfwiseError with a known code. */
const CALLS = [
  ['track(null)', (s) => s.track(null)],
  ['track(42)', (s) => s.track(42)],
  ['track({})', (s) => s.track({})],
  ['an unknown type', (s) => s.track({ type: 'teleport', product: { id: 1 } })],
  ['no product', (s) => s.track({ type: 'view' })],
  ['a null product', (s) => s.track({ type: 'view', product: null })],
  ['a NaN id', (s) => s.track({ type: 'view', product: { id: Number.NaN } })],
  ['a negative id', (s) => s.track({ type: 'view', product: { id: -1 } })],
  ['a fractional id', (s) => s.track({ type: 'view', product: { id: 1.5 } })],
  ['a BigInt id', (s) => s.track({ type: 'view', product: { id: 10n } })],
  ['a Symbol id', (s) => s.track({ type: 'view', product: { id: Symbol('x') } })],
  ['a NaN price', (s) => s.track({ type: 'view', product: { id: 1, price: Number.NaN } })],
  ['an infinite price', (s) => s.track({ type: 'view', product: { id: 1, price: Infinity } })],
  ['a negative price', (s) => s.track({ type: 'view', product: { id: 1, price: -1 } })],
  ['a megabyte category', (s) => s.track({ type: 'view', product: { id: 1, category: huge } })],
  ['100,000 tags', (s) => s.track({ type: 'view', product: { id: 1, tags: Array.from({ length: 100_000 }, (_, i) => `t${i}`) } })],
  ['a control character', (s) => s.track({ type: 'view', product: { id: 'a\u0000b' } })],
  ['a throwing getter', (s) => s.track({ type: 'view', product: throwing })],
  ['a throwing proxy', (s) => s.track({ type: 'view', product: proxy })],
  ['a NaN dwell', (s) => s.track({ type: 'view', product: { id: 1 }, dwellMs: Number.NaN })],
  ['a billion units', (s) => s.track({ type: 'add_to_cart', product: { id: 1 }, quantity: 1e9 })],
  ['an unknown field', (s) => s.track({ type: 'view', product: { id: 1 }, extra: true })],
  ['a polluting product', (s) => s.track({ type: 'view', product: { ...polluting, price: 'free' } })],
  ['rank(not an array)', (s) => s.rank('products')],
  ['rank with an object id', (s) => s.rank([{ id: {} }])],
  ['a NaN strength', (s) => s.rank([{ id: 1 }], { strength: Number.NaN })],
  ['a string strength', (s) => s.rank([{ id: 1 }], { strength: '1' })],
  ['diversity 2', (s) => s.rank([{ id: 1 }], { diversity: 2 })],
  ['a negative pin', (s) => s.rank([{ id: 1 }], { pin: { 1: -1 } })],
  ['a boost below 1', (s) => s.rank([{ id: 1 }], { boost: { 1: 0.5 } })],
  ['a bury above 1', (s) => s.rank([{ id: 1 }], { bury: { 1: 2 } })],
  ['polluting options', (s) => s.rank([{ id: 1 }], JSON.parse('{"__proto__": {"strength": 5}, "exploration": 9}'))],
  ['a throwing options proxy', (s) => s.rank([{ id: 1 }], proxy)],
  ['100,001 products', (s) => s.rank(Array.from({ length: 100_001 }, (_, i) => ({ id: i })))],
  ['fillSlots(a string)', (s) => s.fillSlots('hero', [])],
  ['bad slot hours', (s) => s.fillSlots(['hero'], [{ id: 'x', when: { devices: ['fridge'] } }])],
  ['an unknown offer kind', (s) => s.chooseOffer([{ id: 1, kind: 'price_cut' }])],
  ['import(not JSON)', (s) => s.profile.import('not json')],
  ['import(an edited file)', (s) => s.profile.import('{"format":"shelfwise-export","version":3,"checksum":"fnv1a64:0","payload":"AAAA"}')],
  ['forget(numbers)', (s) => s.profile.forget(1, 2)],
  ['a bad facet name', (s) => s.profile.setPreference('BAD FACET', 'x')],
  ['notInterested({})', (s) => s.profile.notInterested({})],
  ['grantConsent(a string)', (s) => s.grantConsent('all')],
  ['withdrawConsent(an unknown purpose)', (s) => s.withdrawConsent(['ads'])],
  ['autocomplete(a number)', (s) => s.autocomplete(5, [])],
  ['sizeSuggestion(a number)', (s) => s.sizeSuggestion(5)],
];

test('every malformed call throws a coded ShelfwiseError and changes nothing (strict)', async () => {
  const shelf = await Shelfwise.open({ namespace: 'hostile', now, strict: true });
  shelf.grantConsent();
  assert.equal(shelf.track({ type: 'view', product: { id: 'good', category: 'laptops' } }), true);
  const before = shelf.profile.export();
  for (const [name, call] of CALLS) {
    let thrown;
    try {
      call(shelf);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof Error, `${name}: throws an Error (got ${thrown})`);
    assert.equal(thrown.name, 'ShelfwiseError', `${name}: ${thrown.message}`);
    assert.ok(CODES.has(thrown.code), `${name}: code ${thrown.code}`);
    assert.equal(shelf.profile.export(), before, `${name}: the profile is as it was`);
  }
  assert.equal(Object.prototype.polluted, undefined, 'no prototype was polluted');
  assert.equal({}.strength, undefined);
  // Still working afterwards.
  assert.equal(shelf.track({ type: 'view', product: { id: 'after', category: 'laptops' } }), true);
  assert.equal(shelf.rank([{ id: 'a' }, { id: 'b' }]).length, 2);
});

test('by default a malformed product in a list is kept unread, and the rest still ranks', async () => {
  const shelf = await Shelfwise.open({ namespace: 'hostile-lenient', now });
  shelf.grantConsent();
  shelf.track({ type: 'view', product: { id: 'good', category: 'laptops' } });
  const before = shelf.profile.export();
  const hostile = [{ id: {} }, throwing, proxy, polluting, { id: 1, category: huge }, { id: 'a\u0000b' }, null, 42, { id: 2, price: Number.NaN }];
  const warnings = [];
  shelf.addEventListener('warning', (event) => warnings.push(event.detail.code));
  const ranked = shelf.rank([{ id: 'l', category: 'laptops' }, ...hostile]);
  assert.equal(ranked.length, hostile.length + 1);
  assert.equal(ranked[0].product.id, 'l');
  assert.ok(ranked.slice(1).every((r) => r.reason === 'shop_order'));
  assert.equal(warnings.length, hostile.length - 1, 'each unreadable product is named (the polluting one is readable)');
  assert.ok(warnings.every((code) => code === 'product_unread'));
  assert.equal(shelf.profile.export(), before);
  assert.equal(Object.prototype.polluted, undefined);
});

test('malformed options of open throw coded errors', async () => {
  const cases = [
    { namespace: '../other' },
    { namespace: 5 },
    { config: { halfLifeDays: -1 } },
    { config: { typo: 1 } },
    { measurement: { modules: [] } },
    { measurement: { modules: ['grid'], epsilon: 0 } },
    { holdout: { percent: 200, seed: 'h' } },
    { experiments: [{ key: 'x', variations: [] }] },
    { unitId: '' },
    { flushDelayMs: Number.NaN },
    { consent: { tcfVendorId: 0 } },
  ];
  for (const options of cases) {
    await assert.rejects(
      Shelfwise.open({ ...options, now }),
      (error) => error.name === 'ShelfwiseError' && CODES.has(error.code),
      JSON.stringify(options),
    );
  }
});
