// The JS face in Node: federated learning's contributions through the package. The
// statistics (the gradient is the loss's, the noise averages out, choices count once
// across tabs, the shop recovers the counts) are proved natively (tests/federated.rs);
// here, what a page sees: the options, the report's shape at a large ε, the budget,
// consent, and bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

let clock = Date.UTC(2026, 11, 1, 10);
const now = () => clock;

const LAPTOPS = [
  { id: 'l1', category: 'laptops', brand: 'Dell', price: 900 },
  { id: 'l2', category: 'laptops', brand: 'Lenovo', price: 800 },
  { id: 'l3', category: 'laptops', brand: 'Apple', price: 1500 },
  { id: 'l4', category: 'laptops', brand: 'Apple', price: 1300 },
  { id: 'p1', category: 'phones', brand: 'Apple', price: 999 },
];
// One update per model weight (`WEIGHT_NAMES`).
const WEIGHTS = 19;
const learning = { modelEpsilon: 10, sketchEpsilon: 10, clip: 1 };

test('a choice from a ranked list becomes one private contribution per period', async () => {
  const shelf = await Shelfwise.open({
    namespace: 'federated',
    now,
    model: { version: 'shop-7', base: 1 },
    measurement: { modules: ['grid'], learning },
  });
  shelf.grantConsent(['personalization', 'measurement']);
  shelf.track({ type: 'view', product: LAPTOPS[2] });
  shelf.track({ type: 'view', product: LAPTOPS[4] });
  clock += 60_000;
  shelf.rank(LAPTOPS.slice(0, 4), { module: 'grid' });
  shelf.track({ type: 'click', product: LAPTOPS[3], module: 'grid' });
  // A click on a product of no ranked list is no choice.
  shelf.track({ type: 'click', product: LAPTOPS[4], module: 'grid' });
  assert.deepEqual(shelf.profile.summary().learning, { choices: 1, contributions: 0, epsilonSpent: 0 }, 'the shopper sees what waits');

  const report = await shelf.measurement.contribute();
  assert.equal(report.format, 'shelfwise-contribution');
  assert.equal(report.version, 1);
  assert.equal(report.model, 'shop-7', 'the version of the model the page ranks with');
  assert.equal(report.epsilon, 10);
  assert.equal(report.sketchEpsilon, 10);
  assert.equal(report.sketchWidth, 1024);
  // One weight, at ±clip · (e^ε + 1) / (e^ε − 1) · weights.
  assert.equal(report.gradient.length, WEIGHTS);
  const reported = report.gradient.filter((g) => g !== 0);
  assert.equal(reported.length, 1);
  assert.ok(Math.abs(Math.abs(reported[0]) - ((Math.exp(10) + 1) / (Math.exp(10) - 1)) * WEIGHTS) < 1e-3, `${reported[0]}`);
  // At ε = 10 a sketch bit flips on once in 22,000: at most the pair's own bit is set.
  assert.ok(report.ones.length <= 2, `${report.ones}`);
  assert.ok(report.ones.every((b) => Number.isInteger(b) && b >= 0 && b < 1024));
  assert.ok(!JSON.stringify(report).includes('l4') && !JSON.stringify(report).includes('Apple'), 'no product or value in the clear');

  assert.deepEqual(shelf.measurement.budget(), { epsilonSpent: 20, contributionsLeft: 0 });
  assert.deepEqual(shelf.profile.summary().learning, { choices: 0, contributions: 1, epsilonSpent: 20 });
  assert.equal(await shelf.measurement.contribute(), null, 'one per week by default');
  clock += 7 * 86_400_000;
  const next = await shelf.measurement.contribute();
  assert.equal(next.model, 'shop-7');
  assert.deepEqual(shelf.measurement.budget(), { epsilonSpent: 40, contributionsLeft: 0 });

  // Withdrawing measurement erases the learning and its record.
  shelf.withdrawConsent(['measurement']);
  await assert.rejects(shelf.measurement.contribute(), (error) => error.code === 'consent_required');
  shelf.grantConsent(['measurement']);
  assert.deepEqual(shelf.measurement.budget(), { epsilonSpent: 0, contributionsLeft: 1 });
  shelf.close();
});

test('contributions need the option, both purposes, and valid privacy', async () => {
  const plain = await Shelfwise.open({ namespace: 'unlearned', now, measurement: { modules: ['grid'] } });
  plain.grantConsent(['personalization', 'measurement']);
  assert.equal(plain.measurement.budget(), null);
  await assert.rejects(plain.measurement.contribute(), (error) => error.code === 'invalid_options');
  plain.close();

  const unconsented = await Shelfwise.open({ namespace: 'unconsented', now, measurement: { modules: ['grid'], learning: {} } });
  unconsented.grantConsent(['personalization']);
  await assert.rejects(unconsented.measurement.contribute(), (error) => error.code === 'consent_required');
  assert.deepEqual(unconsented.measurement.budget(), { epsilonSpent: 0, contributionsLeft: 1 }, 'defaults: one per week');
  unconsented.close();

  for (const [bad, why] of [
    [{ clip: 'x' }, /clip must be a number/],
    [{ clip: Number.NaN }, /clip must be a number/],
    [{ modelEpsilon: 0 }, /epsilons must be numbers above 0/],
    [{ perPeriod: 1.5 }, /perPeriod must be a whole number/],
    [{ rounds: 3 }, /unknown option measurement.learning.rounds/],
  ]) {
    await assert.rejects(
      Shelfwise.open({ namespace: 'bad', now, measurement: { modules: ['grid'], learning: bad } }),
      (error) => error instanceof Error && error.code === 'invalid_options' && why.test(error.message),
      JSON.stringify(bad),
    );
  }
  await assert.rejects(
    Shelfwise.open({ namespace: 'bad', now, model: { version: 3 }, measurement: { modules: ['grid'], learning: {} } }),
    (error) => error.code === 'invalid_options' && /model.version/.test(error.message),
  );
});

/** The sketch bucket of a pair of facet values, as `federated::pair_bucket` hashes it. */
function pairBucket(a, b) {
  const [first, second] = [a, b].sort((x, y) => (x.join('=') < y.join('=') ? -1 : 1));
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`${first[0]}=${first[1]}\n${second[0]}=${second[1]}`)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return Number(hash % 1024n);
}

test('private priors lift what shoppers with the same interest look at, and say so', async () => {
  const products = [
    { id: 'x1', category: 'phones', brand: 'Nokia', price: 300 },
    { id: 'x2', category: 'phones', brand: 'Xiaomi', price: 320 },
    { id: 'x3', category: 'phones', brand: 'Samsung', price: 310 },
  ];
  const priors = {
    format: 'shelfwise-priors',
    version: 1,
    width: 1024,
    k: 50,
    reports: 20000,
    buckets: [[pairBucket(['brand', 'Apple'], ['brand', 'Samsung']), 5000]],
  };
  const open = (namespace, withPriors) =>
    Shelfwise.open({ namespace, now, model: { prior: 3 }, ...(withPriors ? { priors } : {}) });
  const orders = [];
  for (const withPriors of [false, true]) {
    const shelf = await open(`priors-${withPriors}`, withPriors);
    shelf.grantConsent(['personalization']);
    for (const product of LAPTOPS.slice(2, 5)) shelf.track({ type: 'view', product });
    const ranked = shelf.rank(products);
    orders.push(ranked.map((r) => r.product.id));
    if (withPriors) {
      assert.equal(ranked[0].product.id, 'x3');
      assert.equal(ranked[0].reason, 'shared_interest');
      assert.deepEqual([ranked[0].about.facet, ranked[0].about.value], ['brand', 'Apple'], "about the shopper's interest");
      assert.equal(ranked[0].why, 'Shoppers who like Apple look at this too');
    }
    shelf.close();
  }
  assert.deepEqual(orders[0], ['x1', 'x2', 'x3'], "without priors: the shop's order");

  for (const bad of [{ ...priors, format: 'x' }, { ...priors, width: 512 }, { ...priors, buckets: [[1]] }, { ...priors, buckets: [[2048, 60]] }, { ...priors, k: 0 }]) {
    await assert.rejects(Shelfwise.open({ namespace: 'bad-priors', now, priors: bad }), (error) => error.code === 'invalid_options', JSON.stringify(bad));
  }
});
