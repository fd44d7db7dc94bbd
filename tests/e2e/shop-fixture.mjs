// What the end-to-end specs share: pages (the shopper's, and their other device's) that fail
// their test on any console error or warning and on any request beyond the local server
// (Shelfwise makes none), and the steps every spec takes in the demo shop.
import { test as base, expect } from '@playwright/test';

export { expect };

/** Watches a page; the returned function asserts it logged no error or warning and asked nothing beyond the local server. */
function watch(page, baseURL) {
  const problems = [];
  const foreign = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(`${baseURL}/`)) foreign.push(request.url());
  });
  return () => {
    expect(problems, 'console errors and warnings').toEqual([]);
    expect(foreign, 'requests beyond the local server').toEqual([]);
  };
}

export const test = base.extend({
  page: async ({ page, baseURL }, use) => {
    const check = watch(page, baseURL);
    await use(page);
    check();
  },
  /** The same shopper's other device: a page in a browser context of its own (its own storage), watched as `page` is. */
  otherDevice: async ({ browser, baseURL, viewport }, use) => {
    const context = await browser.newContext({ baseURL, viewport });
    try {
      const page = await context.newPage();
      const check = watch(page, baseURL);
      await use(page);
      check();
    } finally {
      await context.close();
    }
  },
});

/** Opens the shop at `path`; `holdout` sets the share of shoppers held out (the shop's own is 10%). */
export async function openShop(page, holdout = 0, path = '/') {
  await page.goto(`${path}${path.includes('?') ? '&' : '?'}holdout=${holdout}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

/** Opens a product card and closes its page again. */
export async function viewCard(card) {
  const page = card.page();
  await card.locator('.card-open').click();
  await expect(page.locator('#product-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.locator('#product-dialog')).toBeHidden();
}

/**
 * Opens and closes the first `count` products of a category (of one `brand`, when
 * given), as the grid shows them with that category chosen (the grid is paged: a
 * category's products need not be on page 1 of all products); the filter is set back as
 * it was. Returns their ids.
 */
export async function viewProducts(page, category, count, brand = null) {
  const filter = page.locator('#category-filter');
  const before = await filter.inputValue();
  await filter.selectOption(category);
  const cards = page
    .locator(`#grid li.card[data-category="${category}"]`)
    .filter(brand === null ? {} : { has: page.locator('.card-brand', { hasText: brand }) });
  const ids = [];
  for (let i = 0; i < count; i += 1) {
    ids.push(await cards.nth(i).getAttribute('data-product-id'));
    await viewCard(cards.nth(i));
  }
  await filter.selectOption(before);
  return ids;
}

/** The cards of the grid's current page as `[id, category]` pairs. */
function pageOrder(page) {
  return page.$$eval('#grid li.card', (cards) => cards.map((c) => [c.dataset.productId, c.dataset.category]));
}

/** The whole grid as `[id, category]` pairs, top to bottom, page after page; it ends back on page 1. */
export async function gridOrder(page) {
  const current = page.locator('#pagination [aria-current="page"]');
  const first = page.locator('#pagination a.page-number[data-page="1"]');
  if ((await current.count()) > 0 && (await current.textContent()) !== '1') await first.click();
  const order = await pageOrder(page);
  for (let number = 2; (await page.locator('#pagination a.page-next').count()) > 0; number += 1) {
    await page.click('#pagination a.page-next');
    await expect(current).toHaveText(String(number));
    order.push(...(await pageOrder(page)));
  }
  if ((await current.count()) > 0) {
    await first.click();
    await expect(current).toHaveText('1');
  }
  return order;
}
