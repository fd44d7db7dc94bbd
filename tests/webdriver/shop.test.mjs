// The demo shop end to end in Firefox and WebKit, through WebDriver (run once per engine:
// SHELFWISE_ENGINE=firefox|webkit node --test tests/webdriver/). Every test also asserts
// that the page logged no error or warning, threw nothing and asked nothing of any server
// but the local one (page/probe.js reports them).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { CATALOGUE, ENGINE, Shop, startBrowser, startShop, waitFor } from './engine.mjs';

let server;
let browser;
/** @type {Shop} */
let shop;

before(async () => {
  server = await startShop();
  browser = await startBrowser();
  shop = new Shop(browser.driver, server);
  console.log(`engine: ${ENGINE} ${browser.version}`);
});

after(async () => {
  await browser?.quit();
  await server?.close();
});

beforeEach(async () => {
  await shop.reset();
});

afterEach(async () => {
  assert.deepEqual(await shop.takeProblems(), [], 'console errors and warnings, uncaught errors, failed loads, foreign requests');
});

/** The shop's own order of the grid's first page: best rated first. */
const SHOP_ORDER = [...CATALOGUE].sort((a, b) => b.rating - a.rating || a.id - b.id).map((p) => String(p.id));
const byId = new Map(CATALOGUE.map((p) => [String(p.id), p]));

test('the demo opens with an empty console, loads the module and asks nothing of any other server', async () => {
  await shop.open('/');
  assert.deepEqual(await shop.gridIds(), SHOP_ORDER.slice(0, 24), "a new shopper sees the shop's order");
  assert.ok(await shop.visible('#consent-banner'), 'the banner asks');
  assert.match(await shop.text('#grid-status'), /shop.s order/);
  // The module really runs here: a ranking in the page.
  const ranked = await shop.runAsync(`
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'probe' });
    const ids = shelf.rank([{ id: 'a', category: 'x' }, { id: 'b', category: 'y' }]).map((r) => r.product.id);
    shelf.close();
    return ids;`);
  assert.deepEqual(ranked, ['a', 'b']);
});

test('consent gates storage: nothing is stored before the shopper accepts', async () => {
  await shop.open('/');
  await shop.viewProducts('laptops', 2);
  assert.deepEqual(await shop.storedKeys(), [], 'no Shelfwise key before consent');
  assert.equal(await shop.run('return document.cookie'), '');
  await shop.click('#consent-accept');
  await waitFor(async () => !(await shop.visible('#consent-banner')), 'the banner to close');
  await shop.viewProducts('laptops', 2);
  await shop.run('window.dispatchEvent(new Event("pagehide"))');
  const keys = await shop.storedKeys();
  assert.ok(keys.includes('shelfwise:harbor-market:v3'), `the profile is stored: ${keys}`);
  for (const key of keys) assert.match(key, /^shelfwise:harbor-market:v3(:j:[a-z0-9]+)?$/);
});

test('tracking changes the order: viewed laptops lead the grid after a reload', async () => {
  await shop.open('/');
  const before = await shop.gridIds();
  await shop.click('#consent-accept');
  const viewed = await shop.viewProducts('laptops', 3);
  await shop.reload();
  const after = await shop.gridIds();
  assert.notDeepEqual(after, before);
  assert.deepEqual(new Set(after.slice(0, 3)), new Set(viewed), `the laptops just viewed lead: ${after.slice(0, 5)}`);
  const laptopsOnPage = (ids) => ids.filter((id) => byId.get(id).category === 'laptops').length;
  assert.ok(laptopsOnPage(after) > laptopsOnPage(before), 'more laptops on the first page');
  await shop.waitForText('#grid-status', 'ordered for you');
});

test('the profile survives a reload, and so does the decision', async () => {
  await shop.open('/');
  await shop.click('#consent-accept');
  await shop.viewProducts('fragrances', 2);
  await shop.reload();
  assert.equal(await shop.visible('#consent-banner'), false, 'not asked again');
  // Each product opened from the grid is a click there and a view.
  assert.equal(await shop.countedEvents(), 4);
  await shop.click('#open-privacy');
  await shop.waitForText('#interests', 'Fragrances');
  await shop.waitForText('#privacy-stats', 'Learned from 4 interactions');
});
