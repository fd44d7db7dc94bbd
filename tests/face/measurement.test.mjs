// The JS face in Node: GrowthBook bucketing through the package, the holdout,
// experiments, local measurement with randomized reports, the estimator, offers, and the
// export's readable parts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Shelfwise, bucketing, estimate } from '../../dist/node.js';

const CASES = JSON.parse(readFileSync(new URL('../fixtures/growthbook-cases.json', import.meta.url), 'utf8'));
const close = (a, b) => Math.abs(a - b) < 1e-6;

let clock = Date.UTC(2026, 10, 21, 10);
const now = () => clock;

const LAPTOPS = [
  { id: 'l1', category: 'laptops', brand: 'Dell', price: 900 },
  { id: 'l2', category: 'laptops', brand: 'Lenovo', price: 800 },
  { id: 'l3', category: 'laptops', brand: 'Apple', price: 1500 },
  { id: 'l4', category: 'laptops', brand: 'Apple', price: 1300 },
];

test('every GrowthBook bucketing case passes through the package', async () => {
  const gb = await bucketing();
  let checked = 0;
  for (const [seed, value, version, want] of CASES.hash) {
    const got = gb.hash(seed, value, version);
    assert.ok(want === null ? got === null : close(got, want), `hash(${seed}, ${value}, ${version}) = ${got}, want ${want}`);
    checked++;
  }
  for (const [name, [count, coverage, weights], want] of CASES.getBucketRange) {
    const got = gb.getBucketRanges(count, coverage, weights ?? undefined);
    assert.equal(got.length, want.length, name);
    got.forEach(([start, end], i) => assert.ok(close(start, want[i][0]) && close(end, want[i][1]), `${name}: ${got}`));
    checked++;
  }
  for (const [name, n, ranges, want] of CASES.chooseVariation) {
    assert.equal(gb.chooseVariation(n, ranges), want, name);
    checked++;
  }
  for (const [name, id, namespace, want] of CASES.inNamespace) {
    assert.equal(gb.inNamespace(id, namespace), want, name);
    checked++;
  }
  for (const [count, want] of CASES.getEqualWeights) {
    const got = gb.getEqualWeights(count);
    assert.equal(got.length, want.length, `getEqualWeights(${count})`);
    assert.ok(got.every((w, i) => close(w, want[i])), `getEqualWeights(${count}) = ${got}`);
    checked++;
  }
  assert.equal(checked, 15 + 13 + 13 + 16 + 6);
});

/** A unit id that the holdout "h" at 50% takes in (or not). */
async function unitIn(holdout) {
  const gb = await bucketing();
  for (let i = 0; ; i++) {
    const unit = `shopper-${i}`;
    if (gb.hash('h', unit, 2) < 0.5 === holdout) return unit;
  }
}

test('the holdout sees the shop order while its profile learns; others are personalized', async () => {
  for (const holdout of [true, false]) {
    const shelf = await Shelfwise.open({ namespace: `holdout-${holdout}`, now, unitId: await unitIn(holdout), holdout: { percent: 50, seed: 'h' } });
    assert.deepEqual(shelf.assignment, { unitId: null, holdout: false, experiments: {} }, 'nothing before consent');
    shelf.grantConsent();
    assert.equal(shelf.assignment.holdout, holdout);
    for (let i = 0; i < 3; i++) shelf.track({ type: 'view', product: LAPTOPS[3] });
    const order = shelf.rank(LAPTOPS, { strength: 1 }).map((r) => r.product.id);
    assert.equal(order[0] === 'l1', holdout, `${holdout}: ${order}`);
    assert.equal(shelf.profile.summary().events, 3, 'learns either way');
    shelf.close();
  }
});

test('experiments assign GrowthBook variations and apply their rank options per module', async () => {
  const gb = await bucketing();
  const experiments = [{ key: 'strength', variations: [{ strength: 0 }, { strength: 1 }], modules: ['grid'] }];
  const seen = new Set();
  for (let i = 0; i < 12; i++) {
    const unitId = `visitor-${i}`;
    const shelf = await Shelfwise.open({ namespace: `exp-${i}`, now, unitId, experiments });
    shelf.grantConsent();
    const variation = shelf.assignment.experiments.strength;
    // The same bucket as GrowthBook: hash v2 of the key and the id, equal halves.
    assert.equal(variation, gb.chooseVariation(gb.hash('strength', unitId, 2), gb.getBucketRanges(2)));
    seen.add(variation);
    for (let v = 0; v < 3; v++) shelf.track({ type: 'view', product: LAPTOPS[3] });
    const grid = shelf.rank(LAPTOPS, { module: 'grid' }).map((r) => r.product.id);
    assert.equal(grid[0], variation === 0 ? 'l1' : 'l4', `variation ${variation}: ${grid}`);
    // Other modules keep their own options.
    assert.equal(shelf.rank(LAPTOPS, { module: 'search', strength: 1 })[0].product.id, 'l4');
    shelf.close();
  }
  assert.deepEqual([...seen].sort(), [0, 1], 'both variations among 12 shoppers');
  await assert.rejects(
    Shelfwise.open({ experiments: [{ key: 'x', variations: [{ strength: 2 }] }] }),
    (error) => error.code === 'invalid_options',
  );
});

test('measurement counts per module with consent and reports randomized counts that restart', async () => {
  const shelf = await Shelfwise.open({
    namespace: 'measured',
    now,
    unitId: await unitIn(false),
    holdout: { percent: 50, seed: 'h' },
    measurement: { modules: ['grid', 'similar'], epsilon: 10, revenueStep: 25 },
  });
  shelf.grantConsent(['personalization']);
  shelf.rank(LAPTOPS, { module: 'grid' });
  await assert.rejects(shelf.measurement.report(), (error) => error.code === 'consent_required');
  shelf.grantConsent(['personalization', 'measurement']);
  shelf.rank(LAPTOPS, { module: 'grid' });
  shelf.rank(LAPTOPS, { module: 'grid' });
  shelf.similarTo(LAPTOPS[0], LAPTOPS, { module: 'similar' });
  shelf.track({ type: 'click', product: LAPTOPS[2], module: 'grid' });
  shelf.track({ type: 'add_to_cart', product: LAPTOPS[2] });
  shelf.track({ type: 'purchase', product: { ...LAPTOPS[2], price: 60, currency: 'EUR' } });
  const report = await shelf.measurement.report();
  assert.equal(report.format, 'shelfwise-report');
  assert.equal(report.group, 'personalized');
  assert.deepEqual(report.modules, ['grid', 'similar']);
  assert.equal(report.bits.length, 2 * 5 * 4);
  // At epsilon 10 a bit flips once in 22,000: these are the counts in unary. Grid: two
  // impressions, a click, an add-to-cart and a purchase credited by the click, 60 EUR
  // (two steps of 25); similar: one impression.
  assert.equal(report.bits, '1100' + '1000' + '1000' + '1000' + '1100' + '1000' + '0000' + '0000' + '0000' + '0000');
  const again = await shelf.measurement.report();
  assert.equal(again.bits, '0'.repeat(40), 'counts restart after a report');
  shelf.withdrawConsent();
  await assert.rejects(shelf.measurement.report(), (error) => error.code === 'consent_required');
  const unmeasured = await Shelfwise.open({ namespace: 'unmeasured', now });
  await assert.rejects(unmeasured.measurement.report(), (error) => error.code === 'invalid_options');
});

// The estimator's statistics (coverage, lift at realistic epsilons, fixed seeds) are
// proved natively (tests/measurement.rs). Here, the package's own path: reports
// randomized in the package, read back by `estimate()`. At epsilon 10 a bit flips once in
// 22,000, so the totals are the truth within a few flips, every run.
test('the estimator recovers each group from reports the package randomized', async () => {
  // 400 shoppers: the personalized half clicks in the grid, one holdout shopper in four does.
  const reports = [];
  const truth = { holdout: [0, 0], personalized: [0, 0] };
  for (let i = 0; i < 400; i++) {
    const shelf = await Shelfwise.open({
      namespace: `sim-${i}`,
      now,
      unitId: `sim-${i}`,
      holdout: { percent: 50, seed: 'sim' },
      measurement: { modules: ['grid'], epsilon: 10 },
    });
    shelf.grantConsent(['personalization', 'measurement']);
    const group = shelf.assignment.holdout ? 'holdout' : 'personalized';
    const clicks = group === 'personalized' || i % 4 === 0;
    if (clicks) shelf.track({ type: 'click', product: LAPTOPS[i % 4], module: 'grid' });
    truth[group][0] += 1;
    truth[group][1] += clicks ? 1 : 0;
    reports.push(JSON.stringify(await shelf.measurement.report()));
    shelf.close();
  }
  reports.push('not a report');
  const found = await estimate(reports);
  assert.equal(found.baseline, 'holdout');
  assert.equal(found.ignored, 1);
  for (const group of ['holdout', 'personalized']) {
    const g = found.groups.find((x) => x.group === group);
    assert.equal(g.reports, truth[group][0]);
    const clicks = g.metrics.find((m) => m.module === 'grid' && m.metric === 'clicks');
    assert.ok(Math.abs(clicks.total.value - truth[group][1]) <= 3, `${group}: ${JSON.stringify(clicks.total)} vs ${truth[group][1]}`);
  }
  const lift = found.groups.find((x) => x.group === 'personalized').metrics.find((m) => m.metric === 'clicks').lift;
  const trueLift = truth.personalized[1] / truth.personalized[0] - truth.holdout[1] / truth.holdout[0];
  assert.ok(Math.abs(lift.value - trueLift) < 0.02 && lift.low > 0, `${JSON.stringify(lift)} vs ${trueLift}`);
});

const OFFERS = [
  { id: 'ship', kind: 'free_shipping', priority: 2 },
  { id: 'ten-off-laptops', kind: 'percent_off', category: 'laptops', priority: 1 },
  { id: 'points', kind: 'loyalty_bonus', priority: 3, when: { segments: ['repeat_customer', 'loyal'] } },
];

test('offers fit the shopper and say why; the holdout gets the shop priority', async () => {
  const shelf = await Shelfwise.open({ namespace: 'offers', now });
  const none = shelf.chooseOffer(OFFERS);
  assert.equal(none.offer.id, 'ship', 'without consent: the shop priority among eligible offers');
  shelf.grantConsent();
  const welcome = shelf.chooseOffer(OFFERS, { strength: 0.5 });
  assert.equal(welcome.offer.id, 'ship');
  assert.equal(welcome.reason, 'welcome');
  assert.equal(welcome.why, 'A welcome offer for your first order');
  // A shopper who buys what is on deal: the discount fits best.
  for (let i = 0; i < 6; i++) {
    const product = { id: `d${i}`, category: 'laptops', price: 500, tags: [], facets: { deal: 'yes' } };
    shelf.track({ type: 'view', product });
  }
  shelf.track({ type: 'purchase', product: { id: 'd0', category: 'laptops', price: 500, facets: { deal: 'yes' } } });
  assert.ok(shelf.insights().priceSensitivity >= 0.3, `${shelf.insights().priceSensitivity}`);
  const deal = shelf.chooseOffer(OFFERS, { strength: 0.5 });
  assert.equal(deal.offer.id, 'ten-off-laptops');
  assert.ok(['deal_seeker', 'interest'].includes(deal.reason), deal.reason);
  assert.ok(deal.why.length > 0);
  assert.throws(() => shelf.chooseOffer([{ id: 'x', kind: 'price_cut' }]), (error) => error.code === 'invalid_product');

  const gb = await bucketing();
  let unitId = 'a';
  while (gb.hash('h', unitId, 2) >= 0.5) unitId += 'a';
  const held = await Shelfwise.open({ namespace: 'offers-held', now, unitId, holdout: { percent: 50, seed: 'h' } });
  held.grantConsent();
  for (let i = 0; i < 6; i++) held.track({ type: 'view', product: { id: `d${i}`, category: 'laptops', price: 500, facets: { deal: 'yes' } } });
  assert.equal(held.chooseOffer(OFFERS).offer.id, 'ship', 'the holdout: shop priority');
});

test('an export carries its readable parts and imports back', async () => {
  const shelf = await Shelfwise.open({ namespace: 'export', now });
  shelf.grantConsent();
  shelf.track({ type: 'view', product: LAPTOPS[0] });
  const text = shelf.profile.export();
  const file = JSON.parse(text);
  assert.deepEqual(Object.keys(file), ['format', 'version', 'exportedAt', 'consent', 'checksum', 'payload', 'summary']);
  assert.equal(file.exportedAt, new Date(clock).toISOString());
  assert.equal(file.consent.personalization, 'granted');
  assert.equal(file.summary.events, 1);
  assert.ok(file.summary.interests.every((interest) => !('label' in interest)), 'labels are the shop words, not data');
  shelf.profile.erase();
  shelf.profile.import(text);
  assert.equal(shelf.profile.summary().events, 1);
});

test('fillSlots measures its module and each measured slot', async () => {
  const shelf = await Shelfwise.open({ namespace: 'slot-counts', now, measurement: { modules: ['home', 'home:hero', 'home:side'], epsilon: 10 } });
  shelf.grantConsent(['personalization', 'measurement']);
  const items = [
    { id: 'banner', priority: 2, slots: ['hero'] },
    { id: 'tile', priority: 1, slots: ['side'], when: { devices: ['mobile'] } },
  ];
  const choices = shelf.fillSlots(['hero', 'side'], items, { module: 'home', context: { device: 'desktop' } });
  assert.deepEqual(choices.map((c) => c.item?.id ?? null), ['banner', null]);
  shelf.track({ type: 'click', product: { id: 'slot:banner' }, module: 'home:hero' });
  const { bits } = await shelf.measurement.report();
  const perModule = bits.match(/.{20}/g).map((b) => b.slice(0, 8));
  // [impressions, clicks] of home, home:hero and home:side: the empty slot counts nothing.
  assert.deepEqual(perModule, ['10000000', '10001000', '00000000']);
});
