// The demo shop as a shop: product pictures, pages of products, the cart and checkout
// (which need no consent), search scope and empty results, the server-rendered category
// pages, stock, the consent banner's words, phones, and what the grid says about itself.
// Every test also asserts an empty console and no request leaving the local server
// (shop-fixture.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { expect, openShop, test, viewCard } from './shop-fixture.mjs';
import { CATEGORY_ICONS, iconUrl } from '../../www/art.js';
import { CART_KEY } from '../../www/cart.js';

const CATALOGUE = JSON.parse(readFileSync(new URL('../../www/data/products.json', import.meta.url), 'utf8'));
const byId = new Map(CATALOGUE.map((product) => [String(product.id), product]));
const OUT_OF_STOCK = CATALOGUE.filter((product) => product.stock === 0).map((product) => String(product.id));
const PAGE_SIZE = 24;

/** A new shopper in the same browser: the shop left (its last writes done), then its storage emptied. */
async function newShopper(page, baseURL) {
  await page.goto('about:blank');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(baseURL).origin, storageTypes: 'local_storage,session_storage' });
  await cdp.detach();
}

/** Every key Shelfwise could have written (its profile's and its refusal's), with their values. */
function shelfwiseStorage(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...Object.entries(localStorage), ...Object.entries(sessionStorage)].filter(([key]) => key.startsWith('shelfwise')),
    ),
  );
}

/** The ids on the grid's current page. */
function pageIds(page) {
  return page.$$eval('#grid li.card', (cards) => cards.map((card) => card.dataset.productId));
}

/** Opens and closes products of the grid's current page by position; returns their ids. */
async function viewCards(page, positions) {
  const ids = [];
  for (const position of positions) {
    const card = page.locator('#grid li.card').nth(position);
    ids.push(await card.getAttribute('data-product-id'));
    await viewCard(card);
  }
  return ids;
}

/** Events in the stored profile, once this page has written what it holds. */
async function storedEvents(page) {
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  return page.evaluate(async () => {
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
    const summary = shelf.profile.summary();
    shelf.close();
    return summary;
  });
}

/** Whether every picture in `scope` shows its product's category illustration, loaded. */
async function pictures(page, scope) {
  return page.$$eval(`${scope} li`, (items) =>
    items.map((item) => {
      const frame = item.querySelector('.thumb');
      const img = frame?.querySelector('img.thumb-icon');
      return {
        id: item.dataset.productId,
        src: img ? new URL(img.src).pathname : null,
        loaded: img ? img.complete && img.naturalWidth > 0 : false,
        tint: [...(frame?.classList ?? [])].find((name) => /^tint-\d+$/.test(name)) ?? null,
        background: frame ? getComputedStyle(frame).backgroundImage : '',
        placeholder: item.querySelectorAll('svg text').length,
      };
    }),
  );
}

test('every product shows its category’s illustration on a tint of its own, never a placeholder', async ({ page }) => {
  // The icons are the shop's own files, with the icon set's licence beside them.
  const icons = new URL('../../www/icons/', import.meta.url);
  expect(readFileSync(new URL('LICENSE', icons), 'utf8')).toContain('MIT License');
  for (const name of new Set(Object.values(CATEGORY_ICONS))) expect(existsSync(new URL(`${name}.svg`, icons)), name).toBe(true);
  const categories = new Set(CATALOGUE.map((product) => product.category));
  for (const category of categories) expect(CATEGORY_ICONS[category], `an icon for ${category}`).toBeDefined();

  await openShop(page);
  await page.click('#consent-accept');
  const seen = new Set();
  const tints = new Set();
  for (let number = 1; ; number += 1) {
    const shown = await pictures(page, '#grid');
    expect(shown).toHaveLength(number < Math.ceil(CATALOGUE.length / PAGE_SIZE) ? PAGE_SIZE : CATALOGUE.length % PAGE_SIZE || PAGE_SIZE);
    for (const picture of shown) {
      // Lazily decoded pictures may still be loading: wait for each to be drawn.
      await expect
        .poll(() => page.$eval(`#grid li[data-product-id="${picture.id}"] img.thumb-icon`, (img) => img.complete && img.naturalWidth > 0))
        .toBe(true);
      expect(picture.src, `product ${picture.id}`).toBe(iconUrl(byId.get(picture.id).category));
      expect(picture.tint, `product ${picture.id} is tinted`).not.toBeNull();
      expect(picture.background).toContain('gradient');
      expect(picture.placeholder, 'no initials placeholder').toBe(0);
      seen.add(picture.id);
      tints.add(picture.tint);
    }
    if ((await page.locator('#pagination a.page-next').count()) === 0) break;
    await page.click('#pagination a.page-next');
    await expect(page.locator('#pagination [aria-current="page"]')).toHaveText(String(number + 1));
  }
  expect(seen.size, 'every product was pictured').toBe(CATALOGUE.length);
  expect(tints.size, 'products are tinted apart').toBeGreaterThanOrEqual(10);

  // The product page, the picks and the recently viewed show the same pictures.
  await page.locator('#grid li.card .card-open').first().click();
  const dialogImage = page.locator('#dialog-media img.thumb-icon');
  await expect(dialogImage).toHaveAttribute('src', /\/icons\/[a-z0-9-]+\.svg$/);
  await page.keyboard.press('Escape');
  for (const list of ['#recent-list', '#pick-list']) {
    const shown = await pictures(page, list);
    expect(shown.length, list).toBeGreaterThan(0);
    for (const picture of shown) expect(picture.src, `${list} ${picture.id}`).toBe(iconUrl(byId.get(picture.id).category));
  }
});

test('the grid comes in pages: page 2 exists, a page stays short, and the whole list is ranked before paging', async ({ page }) => {
  await openShop(page);
  await expect(page.locator('#grid li.card')).toHaveCount(PAGE_SIZE);
  await expect(page.locator('#grid-status')).toContainText(`1–${PAGE_SIZE} of ${CATALOGUE.length} products`);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  // One long page of 194 products was 15,000 px high.
  expect(height, 'a page of the shop is short').toBeLessThan(4500);
  const pages = page.locator('#pagination a.page-number');
  await expect(pages.last()).toHaveText(String(Math.ceil(CATALOGUE.length / PAGE_SIZE)));
  await expect(page.locator('#pagination [aria-current="page"]')).toHaveText('1');
  await expect(page.locator('#pagination .page-previous')).toHaveAttribute('aria-disabled', 'true');

  const first = await pageIds(page);
  await page.click('#pagination a.page-number[data-page="2"]');
  await expect(page.locator('#pagination [aria-current="page"]')).toHaveText('2');
  await expect(page).toHaveURL(/[?&]page=2\b/);
  await expect(page.locator('#grid-title'), 'focus moves to the top of the new page').toBeFocused();
  await expect(page.locator('#grid-status')).toContainText(`${PAGE_SIZE + 1}–${2 * PAGE_SIZE} of ${CATALOGUE.length}`);
  const second = await pageIds(page);
  expect(second).toHaveLength(PAGE_SIZE);
  expect(second.filter((id) => first.includes(id)), 'no product on both pages').toEqual([]);
  // The page is in the address: a reload shows the same page, and back goes to page 1.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await pageIds(page)).toEqual(second);
  await page.goBack();
  await expect(page.locator('#pagination [aria-current="page"]')).toHaveText('1');
  expect(await pageIds(page)).toEqual(first);

  // Ranked over the whole list, then paged: a product far down the shop's order, once
  // looked at, comes to page 1, saying why.
  await page.click('#consent-accept');
  // Page 5 by its address (the links show the pages next to the current one).
  await openShop(page, 0, '/?page=5');
  await expect(page.locator('#pagination [aria-current="page"]')).toHaveText('5');
  await expect(page.locator('#pagination a.page-number')).toHaveText(['1', '4', '5', '6', '9']);
  await expect(page.locator('#pagination .page-gap')).toHaveCount(2);
  const [far] = await viewCards(page, [3]);
  expect(first).not.toContain(far);
  await openShop(page);
  const now = await pageIds(page);
  expect(now, 'the product looked at rose from page 5 to page 1').toContain(far);
  await expect(page.locator(`#grid li.card[data-product-id="${far}"] .card-why`)).not.toBeEmpty();

  // On a phone the page stays short too (one long page was 35,000 px there).
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(7000);
});

test('the cart and checkout work with personalization declined, and Shelfwise stores nothing for them', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-decline');
  await expect(page.locator('#consent-banner')).toBeHidden();
  // Declining is remembered by Shelfwise (its refusal record); from here on nothing of Shelfwise's may change.
  const declined = await shelfwiseStorage(page);
  expect(Object.keys(declined).filter((key) => key.startsWith('shelfwise:')), 'no profile').toEqual([]);

  const cards = page.locator('#grid li.card:not(.sold-out)');
  const [a, b] = [await cards.nth(0).getAttribute('data-product-id'), await cards.nth(1).getAttribute('data-product-id')];
  await cards.nth(0).locator('.card-add').click();
  await cards.nth(1).locator('.card-add').click();
  await cards.nth(1).locator('.card-add').click();
  await expect(page.locator('#cart-count')).toHaveText('3');
  await expect(page.locator('#cart-status')).toContainText('added to your cart');
  // The cart is the shop's, under its own key, and it survives a reload without consent.
  const stored = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), CART_KEY));
  expect(stored).toEqual([
    { id: a, quantity: 1 },
    { id: b, quantity: 2 },
  ]);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#cart-count')).toHaveText('3');

  // The drawer: lines, quantities, totals; one more, one fewer, remove.
  await page.click('#open-cart');
  const drawer = page.locator('#cart-drawer');
  await expect(drawer).toBeVisible();
  await expect(drawer.locator('.cart-line')).toHaveCount(2);
  const price = (id) => byId.get(id).price;
  const money = (amount) => `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const lineB = drawer.locator(`.cart-line[data-product-id="${b}"]`);
  await expect(lineB.locator('.stepper-value')).toHaveText('2');
  await expect(lineB.locator('.cart-line-total')).toHaveText(money(price(b) * 2));
  await lineB.getByRole('button', { name: /^One fewer/ }).click();
  await expect(lineB.locator('.stepper-value')).toHaveText('1');
  await lineB.getByRole('button', { name: /^One more/ }).click();
  await expect(lineB.locator('.stepper-value')).toHaveText('2');
  await drawer.locator(`.cart-line[data-product-id="${a}"]`).getByRole('button', { name: /^Remove/ }).click();
  await expect(drawer.locator('.cart-line')).toHaveCount(1);
  await expect(page.locator('#cart-count')).toHaveText('2');
  const subtotal = Math.round(price(b) * 100 * 2) / 100;
  const shipping = subtotal >= 50 ? 0 : 4.99;
  await expect(drawer.locator('#cart-totals')).toContainText(money(subtotal));
  await expect(drawer.locator('#cart-totals .grand')).toContainText(money(subtotal + shipping));

  // Checkout: the form checks what it is given before the order can be placed.
  await drawer.locator('#go-checkout').click();
  await expect(drawer).toBeHidden();
  await expect(page.locator('#checkout-view')).toBeVisible();
  await expect(page.locator('#shop-view')).toBeHidden();
  await expect(page).toHaveURL(/#checkout$/);
  await expect(page.locator('#summary-lines li')).toHaveCount(1);
  await expect(page.locator('#summary-lines')).toContainText(`${byId.get(b).title} × 2`);
  await expect(page.locator('#place-order')).toContainText(money(subtotal + shipping));
  await page.click('#place-order');
  const errors = page.locator('#checkout-errors');
  await expect(errors).toBeVisible();
  await expect(errors).toBeFocused();
  await expect(errors.locator('li')).toHaveCount(10);
  await expect(page.locator('#co-email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#co-email-error')).toHaveText('Enter your email address');
  // An error's link takes the shopper to its field.
  await errors.getByRole('link', { name: 'Enter your full name' }).click();
  await expect(page.locator('#co-name')).toBeFocused();
  await page.fill('#co-email', 'ada@example');
  await page.fill('#co-name', 'Ada Lovelace');
  await page.fill('#co-address', '12 Harbor Street');
  await page.fill('#co-postal', '02110');
  await page.fill('#co-city', 'Boston');
  await page.selectOption('#co-country', 'US');
  await page.fill('#co-card', '4242 4242 4242 4241');
  await page.fill('#co-expiry', '01/21');
  await page.fill('#co-cvc', '12');
  await page.fill('#co-cardName', 'Ada Lovelace');
  await page.click('#place-order');
  await expect(errors.locator('li')).toHaveCount(4);
  await expect(page.locator('#co-email-error')).toContainText('name@example.com');
  await expect(page.locator('#co-card-error')).toContainText('valid card number');
  await expect(page.locator('#co-expiry-error')).toHaveText('This card has expired');
  await expect(page.locator('#co-cvc-error')).toContainText('3 or 4 digits');
  await expect(page.locator('#co-name')).not.toHaveAttribute('aria-invalid', 'true');
  // Fixing a field clears its error as the shopper types.
  await page.fill('#co-email', 'ada@example.com');
  await expect(page.locator('#co-email-error')).toBeHidden();
  await page.fill('#co-card', '4242 4242 4242 4242');
  await page.fill('#co-expiry', '12/39');
  await page.fill('#co-cvc', '123');
  await page.click('#place-order');

  const confirmation = page.locator('#order-confirmation');
  await expect(confirmation).toBeVisible();
  await expect(page.locator('#checkout-title')).toHaveText('Order confirmed');
  await expect(page.locator('#confirmation-title')).toHaveText('Thank you, Ada!');
  await expect(page.locator('#confirmation-number')).toHaveText(/^HM-\d{6}$/);
  await expect(page.locator('#confirmation-email')).toHaveText('ada@example.com');
  await expect(confirmation).toContainText(`${byId.get(b).title} × 2`);
  await expect(confirmation).toContainText('12 Harbor Street, 02110 Boston, United States');
  await expect(page.locator('#checkout-layout')).toBeHidden();
  await expect(page.locator('#cart-count')).toHaveText('0');
  expect(await page.evaluate((key) => localStorage.getItem(key), CART_KEY), 'the cart is emptied').toBeNull();
  await expect(page.locator('#co-card'), 'nothing of the card is kept').toHaveValue('');

  // Shelfwise was told nothing it kept: its storage is as the refusal left it.
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  expect(await shelfwiseStorage(page)).toEqual(declined);
  expect(await page.evaluate(() => document.cookie)).toBe('');

  await page.click('#continue-shopping');
  await expect(page.locator('#shop-view')).toBeVisible();
  await expect(page.locator('#checkout-view')).toBeHidden();
  await expect(page).not.toHaveURL(/#checkout/);
});

test('with consent, the placed order reaches Shelfwise only through its track call, as one purchase', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-accept');
  const product = page.locator('#grid li.card:not(.sold-out)').nth(2);
  const id = await product.getAttribute('data-product-id');
  await product.locator('.card-open').click();
  // Buy now: into the cart and straight to the checkout.
  await page.click('#dialog-buy');
  await expect(page.locator('#checkout-view')).toBeVisible();
  await expect(page.locator('#product-dialog')).toBeHidden();
  await expect(page.locator('#summary-lines li')).toHaveCount(1);
  for (const [field, value] of Object.entries({
    email: 'grace@example.com', name: 'Grace Hopper', address: '1 Navy Way', postal: '10001', city: 'New York',
    card: '4242424242424242', expiry: '0939', cvc: '321', cardName: 'G Hopper',
  })) {
    await page.fill(`#co-${field}`, value);
  }
  await page.selectOption('#co-country', 'US');
  await page.click('#place-order');
  await expect(page.locator('#confirmation-title')).toHaveText('Thank you, Grace!');
  const summary = await storedEvents(page);
  expect(summary.orders, 'one order').toBe(1);
  expect(summary.purchases.map((purchase) => purchase.id)).toContain(id);
  expect(summary.cart, 'the bought product left the cart Shelfwise knew of').toEqual([]);
});

test('a search within a category says so, offers all products, and an empty search helps', async ({ page }) => {
  await openShop(page);
  await page.click('#consent-decline');
  await page.selectOption('#category-filter', 'laptops');
  await page.fill('#search', 'apple');
  await page.press('#search', 'Enter');
  await expect(page.locator('#grid-title')).toHaveText('Results in Laptops for “apple”');
  const inLaptops = await page.$$eval('#grid li.card', (cards) => cards.map((card) => card.dataset.category));
  expect(inLaptops.length).toBeGreaterThan(0);
  expect(new Set(inLaptops)).toEqual(new Set(['laptops']));
  await expect(page).toHaveURL(/category=laptops/);
  await expect(page.locator('#search-all')).toBeVisible();
  await page.click('#search-all');
  await expect(page.locator('#grid-title')).toHaveText('Results for “apple”');
  await expect(page.locator('#category-filter')).toHaveValue('');
  await expect(page.locator('#search-all')).toBeHidden();
  const everywhere = await page.$$eval('#grid li.card', (cards) => cards.map((card) => card.dataset.category));
  expect(everywhere.length).toBeGreaterThan(inLaptops.length);
  expect(everywhere).toContain('smartphones');

  // Nothing found in the category: say where, offer all products, other words and categories.
  await page.selectOption('#category-filter', 'laptops');
  await page.fill('#search', 'iphone');
  await page.press('#search', 'Enter');
  const empty = page.locator('#empty-state');
  await expect(empty).toBeVisible();
  await expect(page.locator('#empty-title')).toHaveText('No products match “iphone” in Laptops');
  await expect(page.locator('#grid li')).toHaveCount(0);
  await expect(page.locator('#pagination')).toBeHidden();
  await expect(page.locator('#grid-status')).toHaveText('');
  const iphones = CATALOGUE.filter((product) => /iphone/i.test(product.title)).length;
  await expect(page.locator('#empty-search-all')).toHaveText(`Search all products (${iphones})`);
  await expect(empty.locator('#empty-categories li')).toHaveCount(5);
  await page.click('#empty-search-all');
  await expect(page.locator('#grid-title')).toHaveText('Results for “iphone”');
  await expect(page.locator('#grid li.card')).toHaveCount(iphones);

  // A misspelt search gets searches that find something, and a way back.
  await page.fill('#search', 'lapptop');
  await page.press('#search', 'Enter');
  await expect(page.locator('#empty-title')).toHaveText('No products match “lapptop”');
  await expect(page.locator('#empty-search-all')).toBeHidden();
  const suggestion = page.locator('#empty-suggestions button', { hasText: 'Laptops' });
  await expect(suggestion).toBeVisible();
  await suggestion.click();
  await expect(page.locator('#grid-title')).toHaveText('Results for “Laptops”');
  await expect(page.locator('#grid li.card[data-category="laptops"]')).toHaveCount(5);
  await page.fill('#search', 'zzqx');
  await page.press('#search', 'Enter');
  await expect(empty).toBeVisible();
  await page.click('#empty-clear');
  await expect(page.locator('#grid-title')).toHaveText('All products');
  await expect(page.locator('#grid li.card')).toHaveCount(PAGE_SIZE);
  await expect(page.locator('#search')).toHaveValue('');
});

test('a server-rendered category page looks like the shop, with pictures, and its cards open the product in the shop', async ({ page }) => {
  await page.goto('/category/laptops?holdout=0');
  const style = await page.evaluate(() => {
    const card = document.querySelector('#grid li.card');
    const header = document.querySelector('.site-header');
    return {
      header: getComputedStyle(header).backgroundColor,
      sticky: getComputedStyle(header).position,
      cardRadius: getComputedStyle(card).borderTopLeftRadius,
      cardShadow: getComputedStyle(card).boxShadow,
      columns: getComputedStyle(document.getElementById('grid')).gridTemplateColumns.split(' ').length,
      brand: document.querySelector('.brand-mark')?.textContent,
      font: getComputedStyle(document.body).fontFamily,
    };
  });
  expect(style.header).toBe('rgb(255, 255, 255)');
  expect(style.sticky).toBe('sticky');
  expect(style.cardRadius).toBe('12px');
  expect(style.cardShadow).not.toBe('none');
  expect(style.columns, 'the shop’s grid').toBe(4);
  expect(style.brand).toBe('H');
  expect(style.font).toContain('system-ui');

  const laptops = CATALOGUE.filter((product) => product.category === 'laptops');
  const cards = page.locator('#grid li.card');
  await expect(cards).toHaveCount(laptops.length);
  for (const card of await cards.all()) {
    const id = await card.getAttribute('data-product-id');
    const img = card.locator('img.thumb-icon');
    await expect(img).toHaveAttribute('src', '/icons/device-laptop.svg');
    await expect.poll(() => img.evaluate((node) => node.complete && node.naturalWidth > 0)).toBe(true);
    await expect(card.locator('.thumb')).toHaveClass(/\btint-\d+\b/);
    await expect(card.locator('a.card-open')).toHaveAttribute('href', `/?product=${id}&from=category`);
    await expect(card.locator('.card-title')).toHaveText(byId.get(id).title);
  }
  await expect(page.locator('.breadcrumb a[href="/"]')).toHaveText('Home');

  // The whole card is the link: it opens the product in the shop.
  const first = cards.first();
  const id = await first.getAttribute('data-product-id');
  await first.locator('.card-title').click();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page).toHaveURL(new RegExp(`/\\?product=${id}&from=category$`));
  await expect(page.locator('#product-dialog')).toBeVisible();
  await expect(page.locator('#dialog-title')).toHaveText(byId.get(id).title);
  await page.keyboard.press('Escape');
  await expect(page, 'closing it leaves the shop’s own address').toHaveURL(/\/$/);

  // Out of stock is said there too.
  await page.goto('/category/smartphones?holdout=0');
  const soldOut = page.locator(`#grid li.card[data-product-id="${OUT_OF_STOCK.find((id) => byId.get(id).category === 'smartphones')}"]`);
  await expect(soldOut.locator('.stock-badge')).toHaveText('Out of stock');
  await expect(soldOut).toHaveAttribute('data-in-stock', 'false');
  await page.screenshot({ path: test.info().outputPath('category-page-styled.png') });
});

test('out-of-stock products are labelled and cannot be added to the cart', async ({ page }) => {
  // A cart left with a product that has since sold out: the shop drops it.
  await page.addInitScript(
    ([key, id]) => {
      if (!sessionStorage.getItem('seeded')) localStorage.setItem(key, JSON.stringify([{ id, quantity: 1 }]));
      sessionStorage.setItem('seeded', '1');
    },
    [CART_KEY, OUT_OF_STOCK[0]],
  );
  await openShop(page);
  await expect(page.locator('#cart-count')).toHaveText('0');
  await page.click('#consent-accept');
  for (const id of OUT_OF_STOCK) {
    const { category, title } = byId.get(id);
    await page.selectOption('#category-filter', category);
    const card = page.locator(`#grid li.card[data-product-id="${id}"]`);
    await expect(card, `${title} is listed`).toBeVisible();
    await expect(card).toHaveClass(/\bsold-out\b/);
    await expect(card.locator('.stock-badge')).toHaveText('Out of stock');
    const add = card.locator('.card-add');
    await expect(add).toBeDisabled();
    const reason = await add.getAttribute('aria-describedby');
    await expect(page.locator(`[id="${reason}"]`)).toContainText('cannot be added to your cart');
    await add.click({ force: true });
    await expect(page.locator('#cart-count')).toHaveText('0');
    await card.locator('.card-open').click();
    await expect(page.locator('#dialog-stock')).toContainText('Out of stock');
    await expect(page.locator('#dialog-add')).toBeDisabled();
    await expect(page.locator('#dialog-buy')).toBeDisabled();
    await page.keyboard.press('Escape');
  }
  // An in-stock product beside them can be added.
  const inStock = page.locator('#grid li.card:not(.sold-out)').first();
  await expect(inStock.locator('.card-add')).toBeEnabled();
  await inStock.locator('.card-add').click();
  await expect(page.locator('#cart-count')).toHaveText('1');
  expect(JSON.parse(await page.evaluate((key) => localStorage.getItem(key), CART_KEY)).map((line) => line.id)).not.toContain(OUT_OF_STOCK[0]);
});

test('the consent banner says in plain words what is kept, and keeps the technical details behind “Details”', async ({ page }) => {
  await openShop(page);
  const banner = page.locator('#consent-banner');
  await expect(banner).toBeVisible();
  const plain = await banner.evaluate((node) => node.innerText);
  for (const kept of [
    'the products you look at and click',
    'what you search for',
    'what you put in your cart and buy',
    'which products the shop showed you',
    'what you tell it you like or don\'t like',
    'nothing is kept until you say yes',
    'Your cart works either way',
  ]) {
    expect(plain, kept).toContain(kept);
  }
  for (const jargon of ['Global Privacy Control', 'GPC', 'TCF', 'CMP', 'consent manager', 'impression', 'profile', 'facet', 'Shelfwise']) {
    expect(plain, `no "${jargon}" before Details`).not.toContain(jargon);
  }
  await expect(page.locator('#banner-gpc')).toBeHidden();
  await expect(page.locator('#use-cmp')).toBeHidden();
  // Details open from the keyboard, like any disclosure.
  await page.locator('#consent-details summary').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#consent-details')).toHaveAttribute('open', '');
  await expect(page.locator('#banner-gpc')).toBeVisible();
  await expect(page.locator('#banner-gpc')).toContainText('Global Privacy Control');
  await expect(page.locator('#consent-details')).toContainText('IAB Transparency and Consent Framework (TCF v2)');
  await expect(page.locator('#consent-details')).toContainText('consent manager (CMP)');
  await expect(page.locator('#use-cmp')).toBeVisible();
  await expect(page.locator('#consent-accept')).toBeVisible();
  await expect(page.locator('#consent-decline')).toBeVisible();
});

test('on a phone, the shopper’s picks are on the first screen after consent', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openShop(page);
  await page.click('#consent-accept');
  await viewCards(page, [0, 3]);
  const firstScreen = async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect(page.locator('#picks')).toBeVisible();
    const pick = page.locator('#pick-list li').first();
    const box = await pick.boundingBox();
    const header = await page.locator('.site-header').boundingBox();
    expect(box.y, 'below the header').toBeGreaterThanOrEqual(header.y + header.height);
    expect(box.y + box.height, 'the first pick, whole, on the first screen').toBeLessThanOrEqual(844);
    const layout = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, viewport: innerWidth }));
    expect(layout.width, 'no sideways scrolling').toBeLessThanOrEqual(layout.viewport);
  };
  await firstScreen();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#consent-banner')).toBeHidden();
  await firstScreen();
  await expect(page.locator('#pick-list .pick-why').first()).not.toBeEmpty();
  await page.screenshot({ path: test.info().outputPath('phone-picks.png') });
});

test('clicking a “Recently viewed” card opens it and records the click, without a console error or warning', async ({ page }) => {
  const messages = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  await openShop(page);
  await page.click('#consent-accept');
  const viewed = await viewCards(page, [1, 2]);
  await expect(page.locator('#recent')).toBeVisible();
  const before = (await storedEvents(page)).events;
  const recent = page.locator('#recent-list li').first();
  await expect(recent).toHaveAttribute('data-product-id', viewed[1]);
  await recent.locator('.pick-open').click();
  await expect(page.locator('#product-dialog')).toBeVisible();
  await expect(page.locator('#dialog-title')).toHaveText(byId.get(viewed[1]).title);
  await page.keyboard.press('Escape');
  // The click (from "recent") and the view: two events, neither refused.
  expect((await storedEvents(page)).events).toBe(before + 2);
  expect(messages.filter((text) => /invalid_event|module must be a string/.test(text))).toEqual([]);
});

test('a holdout shopper, and one without consent, is never told the shop is ordered for them; a personalized one is, card by card', async ({ page, baseURL }) => {
  const told = /ordered for you|recommended for you|picked for you/i;
  const visibleText = () => page.evaluate(() => document.body.innerText);

  // No consent (the banner unanswered, then declined).
  await openShop(page);
  expect(await visibleText()).not.toMatch(told);
  await page.click('#consent-decline');
  await viewCards(page, [0]);
  expect(await visibleText()).not.toMatch(told);
  await expect(page.locator('#grid .card-why')).toHaveCount(0);

  // The holdout: consent given, the profile learns, and the shop's own order is all they see.
  await newShopper(page, baseURL);
  await openShop(page, 100);
  await page.click('#consent-accept');
  await page.selectOption('#category-filter', 'laptops');
  await viewCards(page, [0, 1, 2]);
  await page.selectOption('#category-filter', '');
  await openShop(page, 100);
  await page.click('#open-privacy');
  await expect(page.locator('#privacy-groups')).toHaveAttribute('data-holdout', 'true');
  await expect(page.locator('#interests')).toContainText('Laptops');
  await page.click('#close-privacy');
  const checks = async (where) => {
    expect(await visibleText(), where).not.toMatch(told);
    await expect(page.locator('.card-why'), where).toHaveCount(0);
    await expect(page.locator('#picks'), where).toBeHidden();
  };
  await expect(page.locator('#grid-status')).toContainText("in the shop's order");
  await checks('the grid');
  await page.click('#pagination a.page-number[data-page="2"]');
  await checks('page 2');
  await page.fill('#search', 'laptop');
  await page.press('#search', 'Enter');
  await checks('search');
  await page.goto('/category/laptops?holdout=100');
  await expect(page.locator('#grid-status')).toHaveText(`${CATALOGUE.filter((p) => p.category === 'laptops').length} products, in the shop's order.`);
  await checks('the category page');

  // A personalized shopper: every card whose place comes from them says why; the shop's order says nothing.
  await newShopper(page, baseURL);
  await openShop(page, 0);
  await page.click('#consent-accept');
  await page.selectOption('#category-filter', 'laptops');
  await viewCards(page, [0, 1]);
  await page.selectOption('#category-filter', '');
  await openShop(page, 0);
  await expect(page.locator('#grid-status')).toContainText('ordered for you');
  await expect(page.locator('#sort-order option[value="recommended"]')).toHaveText('Recommended for you');
  const cards = await page.$$eval('#grid li.card', (items) =>
    items.map((item) => ({ reason: item.dataset.reason, why: item.querySelector('.card-why')?.textContent ?? null })),
  );
  const explained = cards.filter((card) => card.why !== null);
  expect(explained.length, 'cards say why they are where they are').toBeGreaterThanOrEqual(2);
  for (const card of cards) {
    if (card.reason === 'shop_order' || card.reason === 'out_of_stock') expect(card.why, 'no badge for the shop’s order').toBeNull();
    else expect(card.why?.length ?? 0, `a ${card.reason} card says why`).toBeGreaterThan(5);
  }
  await page.goto('/category/laptops?holdout=0');
  await expect(page.locator('#grid-status')).toContainText('ordered for you');
  await expect(page.locator('#grid li.card[data-reason] .card-why').first()).not.toBeEmpty();
});
