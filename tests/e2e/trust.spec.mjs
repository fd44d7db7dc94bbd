// What Shelfwise tells the shopper is true, and what they decide holds: reasons name only
// what they did, a refusal is remembered across reloads and tabs, forgetting forgets,
// "not interested" can be undone, and one malformed product does not break a list.
import { expect, openShop, test, viewProducts } from './shop-fixture.mjs';

/** The catalogue as the shop serves it. */
async function catalogue(page) {
  return page.evaluate(async () => (await fetch('/data/products.json')).json());
}

test('grid reasons name only what the shopper did', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  // The case: one iPhone viewed must not explain a MacBook with "Apple laptops".
  await viewProducts(page, 'smartphones', 2, 'Apple');
  await viewProducts(page, 'fragrances', 1);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const products = await catalogue(page);
  const byId = new Map(products.map((p) => [String(p.id), p]));
  const reasons = await page.$$eval('#grid li.card', (cards) =>
    cards.map((card) => ({ id: card.dataset.productId, reason: card.dataset.reason, why: card.querySelector('.card-why')?.textContent ?? null })),
  );
  const explained = reasons.filter((r) => r.why !== null);
  expect(explained.length, 'some cards say why').toBeGreaterThan(0);
  const brands = new Set(products.map((p) => p.brand).filter(Boolean));
  const categories = new Set(products.map((p) => p.category));
  const words = (slug) => slug.replace(/-/g, ' ');
  for (const { id, reason, why } of explained) {
    expect(why, `${id} (${reason})`).not.toMatch(/Popular|ordered for you/i);
    for (const brand of brands) {
      if (why.includes(brand)) expect(brand, `${byId.get(id).title}: "${why}" names a brand the shopper never looked at`).toBe('Apple');
    }
    for (const category of categories) {
      if (why.toLowerCase().includes(words(category))) {
        expect(['smartphones', 'fragrances'], `${byId.get(id).title}: "${why}" names a category the shopper never looked at`).toContain(category);
      }
    }
  }
  // A MacBook (laptops, Apple) ranked for the Apple interest says so, without "laptops".
  const macbook = explained.find((r) => byId.get(r.id).category === 'laptops' && byId.get(r.id).brand === 'Apple');
  if (macbook) expect(macbook.why).toMatch(/^(Because you looked at|You often look at) Apple$/);
});

test('a refusal is remembered across reloads and tabs', async ({ page, context }) => {
  await openShop(page);
  const other = await context.newPage();
  await openShop(other);
  await expect(other.locator('#consent-banner')).toBeVisible();
  await page.click('#consent-decline');
  await expect(page.locator('#consent-banner')).toBeHidden();
  // The other tab hears the refusal and stops asking.
  await expect(other.locator('#consent-banner')).toBeHidden();
  const record = await page.evaluate(() => localStorage.getItem('shelfwise-consent:harbor-market'));
  expect(record, 'only the decision and its time').toMatch(/^denied denied \d{13}$/);
  const profileKeys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('shelfwise:')));
  expect(profileKeys).toEqual([]);
  // Next visit: not asked again, and the panel says it is off.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#consent-banner')).toBeHidden();
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is off');
  // Turning it on later works, and the refusal record goes.
  await page.click('#toggle-consent');
  await expect(page.locator('#privacy-consent')).toContainText('Personalization is on');
  expect(await page.evaluate(() => localStorage.getItem('shelfwise-consent:harbor-market'))).toBeNull();
  await other.close();
});

test('one malformed product keeps its place and is named in a warning, in the page', async ({ page }) => {
  await openShop(page);
  const result = await page.evaluate(async () => {
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'lenient-e2e' });
    shelf.grantConsent();
    for (let i = 0; i < 4; i++) shelf.track({ type: 'view', product: { id: `seen${i}`, category: 'laptops', price: '999.00', currency: 'usd' } });
    const warnings = [];
    shelf.addEventListener('warning', (event) => warnings.push(event.detail));
    const ranked = shelf.rank([
      { id: 'f1', category: 'fragrances', price: '12.99' },
      { id: 'odd', category: 'laptops', price: 'ask us' },
      { id: 'l2', category: 'laptops', price: 1299 },
    ], { strength: 1 });
    const out = { order: ranked.map((r) => [r.product.id, r.reason]), warnings, currency: shelf.profile.summary().currency };
    shelf.withdrawConsent();
    shelf.close();
    return out;
  });
  // The laptop rises for the laptop interest; the unreadable one has no personal signal.
  expect(result.order).toEqual([
    ['l2', 'interest'],
    ['f1', 'shop_order'],
    ['odd', 'shop_order'],
  ]);
  expect(result.currency).toBe('USD');
  expect(result.warnings).toHaveLength(1);
  expect(result.warnings[0]).toMatchObject({ code: 'product_unread' });
  expect(result.warnings[0].message).toContain('products[1].price');
});

test('forgetting a brand in the panel forgets what its products taught, and iPhones are no longer first', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'smartphones', 3, 'Apple');
  await viewProducts(page, 'smartphones', 1, 'Samsung');
  await viewProducts(page, 'smartphones', 3, 'Apple');
  const iphones = (await catalogue(page)).filter((p) => p.category === 'smartphones' && p.brand === 'Apple').map((p) => String(p.id));
  const first = await page.$$eval('#grid li.card', (cards) => cards.slice(0, 3).map((c) => c.dataset.productId));
  expect(iphones, 'before: the iPhones lead').toContain(first[0]);
  await page.click('#open-privacy');
  const interests = page.locator('#interests');
  await expect(interests).toContainText('#apple');
  const samsungBrand = interests
    .locator('li.interest')
    .filter({ has: page.locator('.interest-facet', { hasText: 'Brand' }) })
    .filter({ hasText: 'Samsung' })
    .locator('.interest-strength');
  const samsung = await samsungBrand.textContent();

  await page.getByRole('button', { name: 'Forget brand Apple' }).click();
  await expect(interests).not.toContainText('Apple');
  await expect(interests, 'the iPhones also taught #apple: it goes with them').not.toContainText('#apple');
  await expect(samsungBrand, 'strength is by evidence: Samsung stays as it was').toHaveText(samsung);
  const after = await page.$$eval('#grid li.card', (cards) => cards.slice(0, 3).map((c) => c.dataset.productId));
  for (const id of after) expect(iphones, `no iPhone first after forgetting Apple: ${after}`).not.toContain(id);
  const recent = await page.$$eval('#recent-list li.pick', (items) => items.map((item) => item.dataset.productId));
  for (const id of iphones) expect(recent).not.toContain(id);
});

test('"not interested" is listed in the panel and can be undone there', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  const card = page.locator('#grid li.card').first();
  const id = await card.getAttribute('data-product-id');
  const title = await card.locator('.card-title').textContent();
  await card.locator('.card-open').click();
  await page.click('#dialog-not-interested');
  await page.keyboard.press('Escape');
  expect(await page.locator('#grid li.card').first().getAttribute('data-product-id'), 'it leaves the top').not.toBe(id);
  await page.click('#open-privacy');
  const dismissed = page.locator('#dismissed');
  await expect(dismissed).toContainText(title);
  await page.getByRole('button', { name: `Show ${title} again` }).click();
  await expect(page.locator('#dismissed-block')).toBeHidden();
  expect(await page.locator('#grid li.card').first().getAttribute('data-product-id'), 'back in its place').toBe(id);
});

test('with storage blocked for the site, the shop opens, personalizes for the visit and says it will forget', async ({ page }) => {
  await page.addInitScript(() => {
    for (const name of ['localStorage', 'sessionStorage']) {
      Object.defineProperty(window, name, {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    }
  });
  await openShop(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'laptops', 2);
  await page.click('#open-privacy');
  await expect(page.locator('#interests')).toContainText('Laptops');
  await expect(page.locator('#privacy-stats')).toContainText('forgotten when you leave');
  // The shop heard it (storagechange) and offers the download.
  await expect(page.locator('#storage-notice')).toHaveAttribute('data-state', 'memory');
  await expect(page.locator('#storage-notice-action')).toHaveText('Download my data');
});
