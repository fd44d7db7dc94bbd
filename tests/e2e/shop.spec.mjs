// The demo shop end to end: consent, learning, reranking after reload, declining,
// withdrawing. Every test also asserts an empty console and no request leaving the
// local server.
import { readFileSync } from 'node:fs';
import { expect, gridOrder, openShop, test, viewProducts } from './shop-fixture.mjs';

/** All products of the catalogue by id: `{ category, title, ... }`. */
const CATALOGUE = new Map(
  JSON.parse(readFileSync(new URL('../../www/data/products.json', import.meta.url), 'utf8')).map((p) => [String(p.id), p]),
);

/** The namespace's record, and its tabs' journals, and nothing else. */
function expectOnlyOwnKeys(keys) {
  expect(keys).toContain('shelfwise:harbor-market:v3');
  for (const key of keys) expect(key).toMatch(/^shelfwise:harbor-market:v3(:j:[a-z0-9]+)?$/);
}

function meanPosition(order, category) {
  const positions = order.flatMap(([, c], i) => (c === category ? [i] : []));
  return positions.reduce((a, b) => a + b, 0) / positions.length;
}

/** Every storage key Shelfwise could have written, plus cookies. */
function shelfwiseTraces(page) {
  return page.evaluate(() => ({
    keys: [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('shelfwise:')),
    cookies: document.cookie,
  }));
}

/** The refusal Shelfwise remembers (its only key outside `shelfwise:`), or null. */
function refusalRecord(page) {
  return page.evaluate(() => localStorage.getItem('shelfwise-consent:harbor-market'));
}

test('nothing is stored before the shopper answers the banner', async ({ page }) => {
  await openShop(page);
  await expect(page.locator('#consent-banner')).toBeVisible();
  await viewProducts(page, 'laptops', 2);
  expect(await shelfwiseTraces(page)).toEqual({ keys: [], cookies: '' });
  await expect(page.locator('#grid-status')).toContainText("shop's order");
});

test('accepting, viewing laptops and reloading moves laptops up', async ({ page }) => {
  await openShop(page);
  const before = await gridOrder(page);
  expect(before).toHaveLength(194);
  await page.click('#consent-accept');
  await expect(page.locator('#consent-banner')).toBeHidden();
  const viewed = await viewProducts(page, 'laptops', 3);
  expectOnlyOwnKeys((await shelfwiseTraces(page)).keys);

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#consent-banner')).toBeHidden();
  const after = await gridOrder(page);
  expect(after.map(([id]) => id).sort()).toEqual(before.map(([id]) => id).sort());
  const moved = meanPosition(before, 'laptops') - meanPosition(after, 'laptops');
  expect(moved, 'laptops moved up on average').toBeGreaterThan(20);
  const position = (order, id) => order.findIndex(([other]) => other === id);
  // A laptop can only give way to the laptops just viewed, which now lead.
  const justViewed = new Set(viewed).size;
  for (const [id] of before.filter(([, category]) => category === 'laptops')) {
    expect(position(after, id), `laptop ${id} did not move down`).toBeLessThanOrEqual(position(before, id) + justViewed);
  }
  expect(new Set(after.slice(0, justViewed).map(([id]) => id)), 'the laptops just viewed lead').toEqual(new Set(viewed));
  const topTen = after.slice(0, 10).filter(([, category]) => category === 'laptops');
  expect(topTen.length, 'laptops in the first ten').toBeGreaterThanOrEqual(3);
  await expect(page.locator('#grid-status')).toContainText('ordered for you');
  const recent = await page.$$eval('#recent-list li.pick', (items) => items.map((item) => item.dataset.productId));
  expect(recent, 'recently viewed, newest first').toEqual([...new Set(viewed)].reverse());

  await page.click('#open-privacy');
  await expect(page.locator('#interests')).toContainText('Laptops');
  await page.screenshot({ path: test.info().outputPath('personalized-shop.png') });
});

test('declining keeps the shop order and leaves no Shelfwise data but the refusal', async ({ page }) => {
  await openShop(page);
  const before = await gridOrder(page);
  await page.click('#consent-decline');
  await expect(page.locator('#consent-banner')).toBeHidden();
  await viewProducts(page, 'laptops', 3);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await gridOrder(page)).toEqual(before);
  expect(await shelfwiseTraces(page)).toEqual({ keys: [], cookies: '' });
  expect(await refusalRecord(page), 'the decision and its time, nothing else').toMatch(/^denied denied \d{13}$/);
  await expect(page.locator('#consent-banner'), 'a refusal is not asked again').toBeHidden();
});

test('withdrawing consent in the panel erases everything at once', async ({ page }) => {
  await openShop(page);
  const before = await gridOrder(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'fragrances', 2);
  await page.click('#open-privacy');
  await expect(page.locator('#interests')).toContainText('Fragrances');
  await page.click('#toggle-consent');
  expect(await shelfwiseTraces(page)).toEqual({ keys: [], cookies: '' });
  await expect(page.locator('#interests')).toContainText('Nothing yet');
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is off');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await gridOrder(page)).toEqual(before);
  // The withdrawal is remembered: the banner does not ask again on the next visit.
  await expect(page.locator('#consent-banner')).toBeHidden();
  expect(await refusalRecord(page)).toMatch(/^denied denied \d{13}$/);
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is off');
});

test('the profile is kept across tabs and a cleared storage is not resurrected', async ({ page, context }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'sunglasses', 2);
  const second = await context.newPage();
  await openShop(second);
  await expect(second.locator('#consent-banner')).toBeHidden();
  await second.click('#open-privacy');
  await expect(second.locator('#interests')).toContainText('Sunglasses');
  // Another tab withdraws: the first tab must neither keep learning nor write again.
  await second.click('#toggle-consent');
  // The refusal reaches this tab too: it is off, not "not decided" (no banner asks again).
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is off', { timeout: 5_000 });
  await viewProducts(page, 'sunglasses', 1);
  expect(await shelfwiseTraces(page)).toEqual({ keys: [], cookies: '' });
  await second.close();
});

// Purposes 1 to 10 consented (lastUpdated 2020-03-10), and a later string with only
// purposes 1 and 2 (2020-03-24): both vectors of tests/fixtures/tcf-v2-vectors.json,
// with the purpose consents a CMP decodes from them into its TCData.
const TC_GRANTS = { tcString: 'COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA', purposes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
const TC_DENIES = { tcString: 'COwxsONOwxsONKpAAAENAdCAAMAAAAAAAAAAAAAAAAAA', purposes: [1, 2] };

/** A stub IAB TCF CMP: answers `addEventListener` with TCData, and lets the test send updates. */
function stubCmp() {
  return ([initial]) => {
    const listeners = [];
    const tcData = (eventStatus, { tcString, purposes }) => ({
      eventStatus,
      gdprApplies: true,
      tcString,
      listenerId: 1,
      purpose: { consents: Object.fromEntries(purposes.map((id) => [id, true])), legitimateInterests: {} },
      vendor: { consents: {}, legitimateInterests: {} },
      publisher: { consents: {}, legitimateInterests: {}, restrictions: {} },
    });
    window.__tcfapi = (command, version, callback) => {
      if (command === 'addEventListener' && version === 2) {
        listeners.push(callback);
        callback(tcData('tcloaded', initial), true);
      }
    };
    window.__cmpDecide = (next) => {
      for (const callback of listeners) callback(tcData('useractioncomplete', next), true);
    };
  };
}

test('a TCF CMP decides consent: its grant personalizes, its later refusal erases', async ({ page }) => {
  await page.addInitScript(stubCmp(), [TC_GRANTS]);
  await openShop(page);
  await expect(page.locator('#consent-banner')).toBeHidden();
  await viewProducts(page, 'laptops', 2);
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-consent')).toContainText('consent manager');
  await expect(page.locator('#interests')).toContainText('Laptops');
  expectOnlyOwnKeys((await shelfwiseTraces(page)).keys);
  await page.evaluate((tc) => window.__cmpDecide(tc), TC_DENIES);
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is off');
  expect(await shelfwiseTraces(page)).toEqual({ keys: [], cookies: '' });
});

test('Global Privacy Control denies until the shopper turns personalization on', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
  });
  await openShop(page);
  const before = await gridOrder(page);
  await expect(page.locator('#consent-banner')).toBeHidden();
  await viewProducts(page, 'laptops', 2);
  expect(await shelfwiseTraces(page)).toEqual({ keys: [], cookies: '' });
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-consent')).toContainText('Global Privacy Control');
  await page.click('#toggle-consent');
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is on');
  await page.click('#close-privacy');
  await viewProducts(page, 'laptops', 3);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const after = await gridOrder(page);
  expect(meanPosition(after, 'laptops')).toBeLessThan(meanPosition(before, 'laptops'));
});

/** In the page: opens its own Shelfwise instance (a tab of its own) on the demo's namespace. */
async function trackInPage(page, count, { yieldEvery = 25, category = 'laptops' } = {}) {
  return page.evaluate(
    async ({ count, yieldEvery, category }) => {
      const { Shelfwise } = await import('/shelfwise/index.js');
      const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
      let recorded = 0;
      for (let i = 0; i < count; i += 1) {
        if (shelf.track({ type: 'view', product: { id: `${category}-${i}`, category, price: 10 + i } })) recorded += 1;
        // Let the other page run in between, as real pages do.
        if (i % yieldEvery === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      shelf.close();
      return recorded;
    },
    { count, yieldEvery, category },
  );
}

async function countedEvents(page) {
  return page.evaluate(async () => {
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
    const events = shelf.profile.summary().events;
    shelf.close();
    return events;
  });
}

test('three tabs tracking 1,000 events each at the same time count exactly 3,000', async ({ page, context }) => {
  test.setTimeout(60_000);
  await openShop(page);
  await page.click('#consent-accept');
  const others = [await context.newPage(), await context.newPage()];
  for (const other of others) await openShop(other);
  const recorded = await Promise.all([
    trackInPage(page, 1000),
    trackInPage(others[0], 1000, { category: 'tops' }),
    trackInPage(others[1], 1000, { category: 'groceries' }),
  ]);
  expect(recorded).toEqual([1000, 1000, 1000]);
  // Chromium passes localStorage writes to other renderer processes asynchronously: a
  // page may see the others' last writes a moment later. Exactly 3,000, never more.
  for (const tab of [page, ...others]) await expect.poll(() => countedEvents(tab), { timeout: 10_000 }).toBe(3000);
  for (const other of others) await other.close();
});

test('withdrawing in one tab while two others track leaves no Shelfwise data once all settle', async ({ page, context }) => {
  await openShop(page);
  await page.click('#consent-accept');
  const others = [await context.newPage(), await context.newPage()];
  for (const other of others) await openShop(other);
  const tracking = Promise.all([
    trackInPage(others[0], 500, { yieldEvery: 5 }),
    trackInPage(others[1], 500, { yieldEvery: 5, category: 'tops' }),
  ]);
  await page.waitForTimeout(20);
  await page.click('#open-privacy');
  await page.click('#toggle-consent');
  await tracking;
  // Let storage events reach every tab.
  await page.waitForTimeout(200);
  await expect
    .poll(async () => Promise.all([page, ...others].map(async (tab) => (await shelfwiseTraces(tab)).keys)))
    .toEqual([[], [], []]);
  for (const other of others) await other.close();
});

test('the shopper forgets an interest, downloads their data and imports it back', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'laptops', 2);
  await viewProducts(page, 'fragrances', 1);
  await page.click('#open-privacy');
  await expect(page.locator('#interests')).toContainText('Fragrances');
  await page.screenshot({ path: test.info().outputPath('preference-center.png') });
  await page.getByRole('button', { name: 'Forget category Fragrances' }).click();
  await expect(page.locator('#interests')).not.toContainText('Fragrances');
  await expect(page.locator('#interests')).toContainText('Laptops');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-profile')]);
  const exported = await download.path().then((path) => import('node:fs').then((fs) => fs.readFileSync(path, 'utf8')));
  const file = JSON.parse(exported);
  expect(file.format).toBe('shelfwise-export');
  expect(file.summary.interests.filter((i) => i.facet === 'category').map((i) => i.value)).toEqual(['laptops']);

  await page.click('#erase-profile');
  await expect(page.locator('#interests')).toContainText('Nothing yet');
  await page.setInputFiles('#import-profile', { name: 'profile.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
  await expect(page.locator('#privacy-feedback')).toContainText('imported');
  await expect(page.locator('#interests')).toContainText('Laptops');

  const edited = exported.replace('"payload":"', '"payload":"A');
  await page.setInputFiles('#import-profile', { name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(edited) });
  await expect(page.locator('#privacy-feedback')).toContainText('could not be imported');
});

// Products with stock 0 in www/data/products.json: they rank after everything else.
const OUT_OF_STOCK = ['117', '132', '153', '193'];
const inStock = (order) => order.filter(([id]) => !OUT_OF_STOCK.includes(id));

test('"Not interested" sends a product to the end of the grid', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  const first = (await gridOrder(page))[0][0];
  await page.click(`#grid li.card[data-product-id="${first}"] .card-open`);
  await page.click('#dialog-not-interested');
  await expect(page.locator('#dialog-feedback')).toContainText('show this less');
  await page.keyboard.press('Escape');
  const after = await gridOrder(page);
  expect(inStock(after).at(-1)[0]).toBe(first);
  expect(after.slice(-OUT_OF_STOCK.length).map(([id]) => id).sort()).toEqual(OUT_OF_STOCK);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(inStock(await gridOrder(page)).at(-1)[0]).toBe(first);
});

test('events still waiting to be written are written when the page is left', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  // A long flush delay: only pagehide can write these in time.
  await page.evaluate(async () => {
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'harbor-market', flushDelayMs: 600_000 });
    for (let i = 0; i < 25; i += 1) shelf.track({ type: 'view', product: { id: `bag-${i}`, category: 'womens-bags' } });
    globalThis.__shelf = shelf; // keep the instance (and its listeners) alive
  });
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await countedEvents(page)).toBe(25);
});

test('the search box completes with the shopper’s recent searches and the shop’s suggestions, reranked', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  // Interest in Samsung phones (found among the smartphones: the grid is paged).
  await page.selectOption('#category-filter', 'smartphones');
  const samsung = page.locator('#grid li.card', { hasText: 'Samsung Galaxy' });
  for (let i = 0; i < 2; i += 1) {
    await samsung.nth(i).locator('.card-open').click();
    await page.keyboard.press('Escape');
  }
  await page.selectOption('#category-filter', '');
  await page.fill('#search', 's');
  const suggestions = page.locator('#search-suggestions li');
  await expect(suggestions.first()).toBeVisible();
  const texts = await suggestions.allTextContents();
  expect(texts.length).toBeGreaterThan(1);
  expect(texts[0], 'the brand the shopper looks at leads the shop’s suggestions').toMatch(/^Samsung/);

  await page.fill('#search', 'galaxy');
  await page.press('#search', 'Enter');
  await expect(page.locator('#grid-title')).toContainText('Results for “galaxy”');
  const results = await page.$$eval('#grid li.card', (cards) => cards.map((c) => c.textContent));
  expect(results.length).toBeGreaterThanOrEqual(3);
  expect(results.every((text) => text.includes('Galaxy'))).toBe(true);

  await page.fill('#search', 'gal');
  await expect(suggestions.first()).toHaveAttribute('data-source', 'recent');
  await expect(suggestions.first()).toContainText('galaxy');
  await page.screenshot({ path: test.info().outputPath('search.png') });
});

test('the product page shows similar items and what is bought together, each saying why', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  // The smartphones, all on one page.
  await page.selectOption('#category-filter', 'smartphones');
  const firstPhone = page.locator('#grid li.card[data-category="smartphones"]', { hasText: 'iPhone' }).first();
  const phoneId = await firstPhone.getAttribute('data-product-id');
  // The grid reorders as the shopper browses: find the phone by its id each time.
  const phone = page.locator(`#grid li.card[data-product-id="${phoneId}"]`);
  await phone.locator('.card-open').click();
  const similar = page.locator('#similar-list li');
  await expect(similar).toHaveCount(4);
  const similarIds = await similar.evaluateAll((items) => items.map((item) => item.dataset.productId));
  const categories = Object.fromEntries([...CATALOGUE].map(([id, product]) => [id, product.category]));
  expect(similarIds.every((id) => categories[id] === 'smartphones'), 'similar items share the category').toBe(true);
  expect(similarIds).not.toContain(phoneId);
  for (const why of await page.locator('#similar-list .pick-why').allTextContents()) expect(why.length).toBeGreaterThan(5);
  const together = page.locator('#together-list li');
  expect(await together.count()).toBeGreaterThan(0);
  const togetherIds = await together.evaluateAll((items) => items.map((item) => item.dataset.productId));
  expect(togetherIds.every((id) => categories[id] !== 'smartphones'), 'bought together comes from other categories').toBe(true);

  // Behaviour moves the module: a phone that was not among them, once viewed, joins them.
  await page.keyboard.press('Escape');
  const other = Object.keys(categories).find((id) => categories[id] === 'smartphones' && id !== phoneId && !similarIds.includes(id));
  await page.click(`#grid li.card[data-product-id="${other}"] .card-open`);
  await page.keyboard.press('Escape');
  await phone.locator('.card-open').click();
  await expect(page.locator(`#similar-list li[data-product-id="${other}"]`)).toHaveAttribute('data-reason', 'viewed');
  await page.screenshot({ path: test.info().outputPath('product-page.png') });
});

test('homepage slots follow behaviour and say why', async ({ page }) => {
  await openShop(page);
  const slots = page.locator('#slots li.slot');
  await expect(slots).toHaveCount(4);
  const before = await slots.evaluateAll((items) => items.map((item) => [item.dataset.slot, item.dataset.itemId]));
  expect(new Set(before.map(([, id]) => id)).size, 'no item twice').toBe(4);
  expect(before.find(([slot]) => slot === 'offer')[1], 'a new shopper gets an offer for new shoppers or the fallback').toMatch(/first-order|evening|free-shipping/);

  await page.click('#consent-accept');
  await viewProducts(page, 'smartphones', 3);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const hero = page.locator('#slots li.slot[data-slot="hero"]');
  await expect(hero).toHaveAttribute('data-item-id', 'phones');
  await expect(hero).toHaveAttribute('data-reason', 'interest');
  await expect(hero.locator('.slot-why')).toContainText(/smartphones/i);
  await page.screenshot({ path: test.info().outputPath('homepage.png'), fullPage: false });
});

test('every GrowthBook bucketing case passes through the npm package in the browser', async ({ page }) => {
  const cases = JSON.parse(readFileSync(new URL('../fixtures/growthbook-cases.json', import.meta.url), 'utf8'));
  await openShop(page);
  const failures = await page.evaluate(async (cases) => {
    const { bucketing } = await import('/shelfwise/index.js');
    const gb = await bucketing();
    const close = (a, b) => Math.abs(a - b) < 1e-6;
    const failed = [];
    let checked = 0;
    const check = (ok, what) => {
      checked += 1;
      if (!ok) failed.push(what);
    };
    for (const [seed, value, version, want] of cases.hash) {
      const got = gb.hash(seed, value, version);
      check(want === null ? got === null : close(got, want), `hash ${seed} ${value} ${version}: ${got}`);
    }
    for (const [name, [count, coverage, weights], want] of cases.getBucketRange) {
      const got = gb.getBucketRanges(count, coverage, weights ?? undefined);
      check(got.length === want.length && got.every(([s, e], i) => close(s, want[i][0]) && close(e, want[i][1])), name);
    }
    for (const [name, n, ranges, want] of cases.chooseVariation) check(gb.chooseVariation(n, ranges) === want, name);
    for (const [name, id, namespace, want] of cases.inNamespace) check(gb.inNamespace(id, namespace) === want, name);
    for (const [count, want] of cases.getEqualWeights) {
      const got = gb.getEqualWeights(count);
      check(got.length === want.length && got.every((w, i) => close(w, want[i])), `getEqualWeights ${count}`);
    }
    return { failed, checked };
  }, cases);
  expect(failures).toEqual({ failed: [], checked: 63 });
});

test('the holdout sees the shop order, says so, and keeps its group across visits', async ({ page }) => {
  await openShop(page, 100);
  await page.click('#consent-accept');
  const before = (await gridOrder(page)).map(([id]) => id);
  await viewProducts(page, 'laptops', 3);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect((await gridOrder(page)).map(([id]) => id), "the shop's own order").toEqual(before);
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-groups')).toHaveAttribute('data-holdout', 'true');
  await expect(page.locator('#privacy-groups')).toContainText('holdout');
  await expect(page.locator('#interests')).toContainText('Laptops');
});

test('the experiment group is sticky, and the offer says why it was chosen', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await page.click('#open-privacy');
  const groups = page.locator('#privacy-groups');
  await expect(groups).toHaveAttribute('data-holdout', 'false');
  const variation = await groups.getAttribute('data-variation');
  expect(['0', '1']).toContain(variation);
  await expect(groups).toContainText(variation === '0' ? 'variation A' : 'variation B');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.click('#open-privacy');
  await expect(groups, 'the same group after a reload').toHaveAttribute('data-variation', variation);
  await page.click('#close-privacy');
  const offer = page.locator('#slots li.slot[data-slot="offer"]');
  await expect(offer).toHaveCount(1);
  const reason = await offer.getAttribute('data-reason');
  const why = await offer.locator('.slot-why').textContent();
  expect(why.length, `offer ${await offer.getAttribute('data-item-id')} (${reason}) says why`).toBeGreaterThan(5);
  if ((await offer.getAttribute('data-item-id')) === 'first-order') expect(why).toContain('first order');
});

test('with measurement consent the shop gets only a randomized report', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await page.click('#open-privacy');
  await expect(page.locator('#preview-report')).toBeDisabled();
  await page.click('#toggle-measurement');
  await expect(page.locator('#toggle-measurement')).toHaveText('Stop counting for the shop');
  await page.click('#close-privacy');
  await viewProducts(page, 'laptops', 2);
  await page.click('#open-privacy');
  await page.click('#preview-report');
  const report = JSON.parse(await page.locator('#report-preview').textContent());
  expect(report.format).toBe('shelfwise-report');
  expect(report.group).toMatch(/^(personalized|holdout)$/);
  expect(report.modules).toEqual([
    'grid', 'search', 'picks', 'similar', 'together', 'home', 'home:hero', 'home:collection-1', 'home:collection-2', 'offer', 'category',
  ]);
  expect(report.bits).toMatch(/^[01]{220}$/);
  // ln 3, as reports state numbers: to six decimals.
  expect(report.epsilon).toBe(1.098612);
  // Stopping measurement keeps what personalization learned.
  await page.click('#toggle-measurement');
  await expect(page.locator('#toggle-measurement')).toHaveText('Let the shop count what works');
  await expect(page.locator('#interests')).toContainText('Laptops');
  await expect(page.locator('#preview-report')).toBeDisabled();
});

test('with measurement consent the shop gets one private contribution a week, and the panel shows the budget', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await page.click('#open-privacy');
  await expect(page.locator('#preview-contribution')).toBeDisabled();
  await expect(page.locator('#privacy-budget')).toHaveText('');
  await page.click('#toggle-measurement');
  await expect(page.locator('#privacy-budget')).toHaveText('Privacy budget: ε 0.0 spent in the last 12 months; 1 contribution left this week.');
  await page.click('#close-privacy');
  // Products picked from the ranked grid are what the model learns from.
  await viewProducts(page, 'laptops', 2);
  await page.click('#open-privacy');
  await page.click('#preview-contribution');
  const contribution = JSON.parse(await page.locator('#contribution-preview').textContent());
  expect(contribution.format).toBe('shelfwise-contribution');
  expect(contribution.model).toBe('default');
  expect([contribution.epsilon, contribution.sketchEpsilon, contribution.clip, contribution.sketchWidth]).toEqual([2, 2, 0.1, 1024]);
  expect(contribution.gradient).toHaveLength(19);
  expect(contribution.gradient.filter((g) => g !== 0), 'one weight, randomized').toHaveLength(1);
  expect(contribution.ones.every((b) => Number.isInteger(b) && b >= 0 && b < 1024)).toBe(true);
  const text = JSON.stringify(contribution);
  expect(text, 'no product, value or id in the clear').not.toMatch(/laptop|apple|dell|lenovo/i);
  await expect(page.locator('#privacy-budget')).toHaveText('Privacy budget: ε 4.0 spent in the last 12 months; 0 contributions left this week.');
  await page.click('#preview-contribution');
  await expect(page.locator('#contribution-preview')).toHaveText("This week's contribution is made.");
  // Stopping measurement erases the record with it.
  await page.click('#toggle-measurement');
  await page.click('#toggle-measurement');
  await expect(page.locator('#privacy-budget')).toHaveText('Privacy budget: ε 0.0 spent in the last 12 months; 1 contribution left this week.');
});

test('a server-rendered category page is reordered before its first paint, without layout shift', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  // Two laptops viewed in the main shop; leaving the page writes them.
  const viewed = await viewProducts(page, 'laptops', 2);
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));

  // Layout shifts and paints are observed from before the page's own scripts run.
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__shifts.push(entry.value);
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const response = await page.goto('/category/laptops?holdout=0');
  expect(response.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  const shopOrder = await page.evaluate(async () => {
    const html = await (await fetch(location.pathname)).text();
    return [...new DOMParser().parseFromString(html, 'text/html').querySelectorAll('#grid li')].map((li) => li.dataset.productId);
  });
  const order = await page.$$eval('#grid li.card', (cards) => cards.map((c) => c.dataset.productId));
  expect(order.slice(0, 2).sort(), 'the laptops just viewed come first').toEqual([...viewed].sort());
  expect(order, 'reordered, not the shop order').not.toEqual(shopOrder);
  expect([...order].sort()).toEqual([...shopOrder].sort());
  await expect(page.locator('#grid-status')).toContainText('ordered for you');
  await page.waitForTimeout(300);
  const timing = await page.evaluate(() => ({
    reordered: performance.getEntriesByName('shelfwise-reordered')[0]?.startTime ?? null,
    firstPaint: performance.getEntriesByName('first-paint')[0]?.startTime ?? null,
    shifts: window.__shifts,
  }));
  expect(timing.reordered, 'reordered').not.toBeNull();
  expect(timing.firstPaint, 'painted').not.toBeNull();
  expect(timing.reordered, 'before the first paint').toBeLessThan(timing.firstPaint);
  expect(timing.shifts, 'no layout shift').toEqual([]);
  await page.screenshot({ path: test.info().outputPath('category-page.png') });
});

test('a Web Worker ranks off the main thread with the profile the page hands it', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'fragrances', 3);
  const result = await page.evaluate(async () => {
    const { Shelfwise } = await import('/shelfwise/index.js');
    const products = await (await fetch('/data/products.json')).json();
    const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
    const onMain = shelf.rank(products, { strength: 0.8 }).map((r) => r.product.id);
    const worker = new Worker('/rank-worker.js', { type: 'module' });
    const reply = await new Promise((resolve) => {
      worker.addEventListener('message', ({ data }) => resolve(data), { once: true });
      worker.postMessage({ id: 1, profile: shelf.profile.export(), products, options: { strength: 0.8 } });
    });
    worker.terminate();
    const keys = Object.keys(localStorage).filter((k) => k.startsWith('shelfwise:harbor-market-worker'));
    return { onMain, inWorker: reply.ranked?.map((r) => r.id), error: reply.error ?? null, why: reply.ranked?.[0]?.why, keys };
  });
  expect(result.error).toBeNull();
  expect(result.inWorker, 'the same order as on the main thread').toEqual(result.onMain);
  expect(result.inWorker.slice(0, 3).every((id) => typeof id === 'number')).toBe(true);
  expect(result.why.length).toBeGreaterThan(5);
  expect(result.keys, 'the worker stores nothing').toEqual([]);
});

test('product data is rendered as text: hostile titles execute nothing', async ({ page }) => {
  const hostile = [
    '<img src=x onerror="window.__xss = 1">',
    '</script><script>window.__xss = 2</script>',
    '"><svg onload="window.__xss = 3">',
  ];
  await page.route('**/data/products.json', async (route) => {
    const products = await (await route.fetch()).json();
    // The three the shop shows first (best rated).
    const first = [...products].sort((a, b) => b.rating - a.rating || a.id - b.id).slice(0, 3);
    first.forEach((product, i) => {
      product.title = hostile[i];
      product.brand = hostile[(i + 1) % 3];
    });
    await route.fulfill({ json: products });
  });
  await openShop(page);
  await page.click('#consent-accept');
  const first = page.locator('#grid li.card').first();
  await first.locator('.card-open').click();
  await expect(page.locator('#dialog-title')).toHaveText(/<img|<\/script>|<svg/);
  await page.keyboard.press('Escape');
  await page.click('#open-privacy');
  await expect(page.locator('#interests')).toContainText(/<img|<\/script>|"><svg/);
  await page.fill('#search', '<img');
  await expect(page.locator('#search-suggestions')).toBeVisible();
  const outcome = await page.evaluate(() => ({
    xss: window.__xss ?? null,
    injected: document.querySelectorAll('img[src="x"], svg[onload], #grid script').length,
    titles: [...document.querySelectorAll('#grid .card-title')].slice(0, 3).map((t) => t.textContent),
  }));
  expect(outcome.xss, 'nothing executed').toBeNull();
  expect(outcome.injected, 'no element made from product data').toBe(0);
  expect(outcome.titles.sort()).toEqual([...hostile].sort());
});

test('the shop can ask through an IAB TCF consent manager instead of its banner, and shows the GPC state', async ({ page }) => {
  await openShop(page);
  await expect(page.locator('#banner-gpc')).toHaveAttribute('data-gpc', 'false');
  // The switch is among the banner's details; it reloads the page with the other way of asking.
  await page.click('#consent-details summary');
  await Promise.all([page.waitForEvent('load'), page.click('#use-cmp')]);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#cmp-dialog')).toBeVisible();
  await expect(page.locator('#consent-banner')).toBeHidden();
  await page.click('#cmp-accept');
  await expect(page.locator('#cmp-dialog')).toHaveCount(0);
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-consent')).toContainText('consent manager');
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is on');
  await expect(page.locator('#privacy-use-cmp')).toBeChecked();
  // Back to the shop's own banner.
  await Promise.all([page.waitForEvent('load'), page.click('#privacy-use-cmp')]);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#cmp-dialog')).toHaveCount(0);
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-use-cmp')).not.toBeChecked();
});

test('a cart left on an earlier visit is offered back: continue where you left off', async ({ page }) => {
  await page.clock.install({ time: new Date('2026-11-21T10:00:00Z') });
  await openShop(page);
  await page.click('#consent-accept');
  await expect(page.locator('#cart-reminder')).toBeHidden();
  const card = page.locator('#grid li.card').nth(1);
  const id = await card.getAttribute('data-product-id');
  await card.locator('.card-add').click();
  await expect(page.locator('#cart-count')).toHaveText('1');
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  // Two hours later, a new visit.
  await page.clock.setSystemTime(new Date('2026-11-21T12:00:00Z'));
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#cart-reminder')).toBeVisible();
  await expect(page.locator(`#cart-reminder-list li[data-product-id="${id}"]`)).toContainText('In your cart since');
  await expect(page.locator('#cart-count')).toHaveText('1');
});

test('on a phone the shop fits the screen, and it is usable by keyboard with every control named', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openShop(page);
  await page.click('#consent-accept');
  const layout = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, viewport: innerWidth }));
  expect(layout.width, 'no sideways scrolling').toBeLessThanOrEqual(layout.viewport);
  await page.screenshot({ path: test.info().outputPath('phone.png') });
  // Every control has a name a screen reader can say.
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll('button, a[href], input, select')]
      .filter((el) => el.offsetParent !== null || el.type === 'file')
      .filter((el) => {
        const label = el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || el.getAttribute('title');
        return !label || label.trim() === '';
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  expect(unnamed).toEqual([]);
  // On a fresh page the first Tab reaches the skip link; Enter moves to the products.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.keyboard.press('Tab');
  await expect(page.locator('.skip-link')).toBeFocused();
  await page.keyboard.press('Enter');
  const card = page.locator('#grid li.card .card-open').first();
  await card.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#product-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.locator('#product-dialog')).toBeHidden();
});

test('storage that throws at random and fills up mid-write: the page keeps working, and what is stored opens intact', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  const result = await page.evaluate(async () => {
    const { Shelfwise } = await import('/shelfwise/index.js');
    // A deterministic coin (mulberry32), so the chaos is the same every run.
    let seed = 7;
    const coin = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    // Opened while storage still works, as on a real page.
    const shelf = await Shelfwise.open({ namespace: 'harbor-market', flushDelayMs: 0 });
    const original = { set: Storage.prototype.setItem, get: Storage.prototype.getItem, remove: Storage.prototype.removeItem };
    Storage.prototype.setItem = function (key, value) {
      if (coin() < 0.3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return original.set.call(this, key, value);
    };
    Storage.prototype.getItem = function (key) {
      if (coin() < 0.1) throw new DOMException('Storage is disabled', 'SecurityError');
      return original.get.call(this, key);
    };
    Storage.prototype.removeItem = function (key) {
      if (coin() < 0.1) throw 'not even an Error';
      return original.remove.call(this, key);
    };
    const modes = new Set();
    let ranked = 0;
    let tracked = 0;
    for (let i = 0; i < 400; i++) {
      if (shelf.track({ type: 'view', product: { id: `chaos-${i}`, category: 'laptops', brand: `b${i % 7}` } })) tracked += 1;
      if (i % 25 === 0) {
        shelf.flush();
        modes.add(shelf.storageMode);
        ranked += shelf.rank([{ id: 'x', category: 'laptops' }, { id: 'y', category: 'tops' }]).length;
      }
    }
    shelf.flush();
    shelf.close();
    Object.assign(Storage.prototype, { setItem: original.set, getItem: original.get, removeItem: original.remove });
    const warnings = [];
    const reopened = await Shelfwise.open({ namespace: 'harbor-market' });
    reopened.addEventListener('warning', (event) => warnings.push(event.detail.code));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const events = reopened.profile.summary().events;
    reopened.close();
    return { tracked, ranked, modes: [...modes], events, warnings };
  });
  expect(result.tracked, 'learned in memory whatever storage did').toBe(400);
  expect(result.ranked, 'ranking never stopped').toBe(32);
  expect(result.modes, 'the failures were noticed').toContain('memory');
  expect(result.events, 'what is stored opens').toBeGreaterThan(0);
  expect(result.events).toBeLessThanOrEqual(400);
  // Writes either land whole or throw: nothing stored is damaged.
  expect(result.warnings.filter((code) => code !== 'record_repaired')).toEqual([]);
});

test('storage cleared by another script while the page runs: nothing comes back', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'laptops', 2);
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  expectOnlyOwnKeys((await shelfwiseTraces(page)).keys);
  // Another script on the page clears storage (a "clear site data" button, a cleanup).
  await page.evaluate(() => localStorage.clear());
  await viewProducts(page, 'tops', 2);
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  await page.waitForTimeout(100);
  // The cleared profile is treated as withdrawn elsewhere: nothing is written back.
  expect(await shelfwiseTraces(page)).toEqual({ keys: [], cookies: '' });
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#consent-banner')).toBeVisible();
});

test('a tab killed in the middle of writes: the profile opens, and only what it had not written is lost', async ({ page, context }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await page.evaluate(async () => {
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'harbor-market', flushDelayMs: 60_000 });
    for (let i = 1; i <= 337; i++) {
      shelf.track({ type: 'view', product: { id: `killed-${i}`, category: 'tops' } });
      // Written every 50 events: the last write holds 300.
      if (i % 50 === 0) shelf.flush();
    }
    // Killed now: nothing more reaches storage, not even the write on `pagehide`.
    Storage.prototype.setItem = () => {
      throw new DOMException('the tab is gone', 'InvalidStateError');
    };
  });
  await page.close();
  const next = await context.newPage();
  await openShop(next);
  const events = await countedEvents(next);
  expect(events, 'every written event survives').toBeGreaterThanOrEqual(300);
  expect(events, 'at most the 37 tracked after the last write are lost').toBeLessThanOrEqual(337);
  await next.close();
});
