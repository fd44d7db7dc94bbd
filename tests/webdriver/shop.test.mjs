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

/** Starts tracking `count` views in the current window, in a Shelfwise instance of its own (another tab's worth), without waiting. */
function startTracking(count, category) {
  return shop.run(
    `window.__tracked = null;
     (async () => {
       const { Shelfwise } = await import('/shelfwise/index.js');
       const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
       let recorded = 0;
       for (let i = 0; i < arguments[0]; i += 1) {
         if (shelf.track({ type: 'view', product: { id: arguments[1] + '-' + i, category: arguments[1], price: 10 + i } })) recorded += 1;
         // Let the other window run in between, as real pages do.
         if (i % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
       }
       shelf.close();
       window.__tracked = recorded;
     })().catch((error) => { window.__tracked = String(error); });`,
    count,
    category,
  );
}

/**
 * Two windows of one shopper track 300 views each at the same time; both must end up
 * counting exactly 600 (every event once: journals per tab, compaction one tab at a time).
 */
async function twoTabsCountEveryEvent(inject) {
  await shop.open('/', { inject });
  await shop.click('#consent-accept');
  const first = await shop.driver.getWindowHandle();
  const second = await shop.newWindow();
  await shop.open('/', { inject });
  await shop.driver.switchTo().window(first);
  await startTracking(300, 'laptops');
  await shop.driver.switchTo().window(second);
  await startTracking(300, 'tops');
  for (const handle of [first, second]) {
    await shop.driver.switchTo().window(handle);
    assert.equal(await waitFor(() => shop.run('return window.__tracked'), 'tracking to finish', 30_000), 300);
  }
  for (const handle of [first, second]) {
    await shop.driver.switchTo().window(handle);
    // Writes reach the other window a moment later: exactly 600, never more.
    let counted = 0;
    await waitFor(async () => (counted = await shop.countedEvents()) >= 600, 'every event to be counted', 15_000).catch(() => {});
    assert.equal(counted, 600, `window ${handle === first ? 1 : 2}`);
  }
}

test('two tabs count every event: 300 views each at the same time make 600 in both', async () => {
  assert.equal(await shop.run('return typeof navigator.locks?.request'), 'function', `${ENGINE} has Web Locks`);
  await twoTabsCountEveryEvent([]);
});

test('without Web Locks (older Safari and Firefox), tabs compact without a lock and still count every event', async () => {
  await twoTabsCountEveryEvent(['no-locks']);
  assert.equal(await shop.run('return navigator.locks === undefined'), true, 'the page had no Web Locks');
});

test('withdrawal erases every key in every tab, keeping only the refusal record', async () => {
  await shop.open('/');
  const before = await shop.gridIds();
  await shop.click('#consent-accept');
  await shop.viewProducts('fragrances', 2);
  const first = await shop.driver.getWindowHandle();
  const second = await shop.newWindow();
  await shop.open('/');
  await shop.click('#open-privacy');
  await shop.waitForText('#interests', 'Fragrances');
  await shop.driver.switchTo().window(first);
  await shop.run('window.dispatchEvent(new Event("pagehide"))');
  assert.ok((await shop.storedKeys('shelfwise:')).length > 0, 'the profile was stored');
  await shop.click('#open-privacy');
  await shop.click('#toggle-consent');
  await shop.waitForText('#privacy-consent', 'Personalization is off');
  assert.deepEqual(await shop.storedKeys('shelfwise:'), [], 'every Shelfwise key, at once');
  // The refusal alone is kept, on purpose: the decision and its time, so the shop does not ask again.
  assert.deepEqual(await shop.storedKeys('shelfwise'), ['shelfwise-consent:harbor-market']);
  assert.match(await shop.run('return localStorage.getItem("shelfwise-consent:harbor-market")'), /^denied denied \d{13}$/);
  // The other tab hears it (a `storage` event) and writes nothing back.
  await shop.driver.switchTo().window(second);
  await shop.waitForText('#privacy-consent', 'Personalization is off');
  await shop.run('window.dispatchEvent(new Event("pagehide"))');
  assert.deepEqual(await shop.storedKeys('shelfwise:'), []);
  await shop.driver.switchTo().window(first);
  await shop.reload();
  assert.equal(await shop.visible('#consent-banner'), false, 'a refusal is not asked again');
  assert.deepEqual(await shop.gridIds(), before, "the shop's order");
  assert.deepEqual(await shop.storedKeys('shelfwise:'), []);
});

test('events still waiting to be written are written when the page is left (pagehide)', async () => {
  await shop.open('/');
  await shop.click('#consent-accept');
  // A long flush delay: only the write on leaving can save these.
  await shop.runAsync(`
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'harbor-market', flushDelayMs: 600000 });
    for (let i = 0; i < 25; i += 1) shelf.track({ type: 'view', product: { id: 'bag-' + i, category: 'womens-bags' } });
    window.__shelf = shelf;`);
  assert.deepEqual(await shop.storedKeys('shelfwise:harbor-market:v3:j:'), [], 'nothing journaled yet');
  // A navigation within the shop: the page is hidden and unloaded.
  await shop.open('/?category=womens-bags');
  assert.equal(await shop.countedEvents(), 25);
});

test('a server-rendered category page is reordered before the shopper sees it, without a jump', async () => {
  await shop.open('/');
  await shop.click('#consent-accept');
  const viewed = await shop.viewProducts('laptops', 2);
  await shop.run('window.dispatchEvent(new Event("pagehide"))');
  const blocking = await shop.run('return document.createElement("script").blocking?.supports?.("render") === true');
  await shop.driver.get(`${server.url}/category/laptops?holdout=0&inject=frames`);
  await shop.waitForText('#grid-status', 'ordered for you');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { frames, order, shopOrder, reordered, pending } = await shop.runAsync(`
    const html = await (await fetch(location.pathname)).text();
    const shopOrder = [...new DOMParser().parseFromString(html, 'text/html').querySelectorAll('#grid li')].map((li) => li.dataset.productId);
    return {
      frames: window.__frames,
      order: [...document.querySelectorAll('#grid li.card')].map((card) => card.dataset.productId),
      shopOrder,
      reordered: performance.getEntriesByName('shelfwise-reordered').length,
      pending: document.documentElement.classList.contains('reorder-pending'),
    };`);
  assert.deepEqual(new Set(order.slice(0, 2)), new Set(viewed), 'the laptops just viewed come first');
  assert.notDeepEqual(order, shopOrder, 'reordered');
  assert.deepEqual([...order].sort(), [...shopOrder].sort());
  assert.equal(reordered, 1);
  assert.equal(pending, false, 'the grid is shown');
  const shown = frames.filter((frame) => frame.visible);
  assert.ok(shown.length > 0, 'frames were rendered');
  for (const frame of shown) {
    assert.deepEqual(frame.order, order.slice(0, 6), `a frame at ${frame.at.toFixed(0)} ms showed another order`);
    assert.equal(frame.top, shown[0].top, 'the grid never moved');
  }
  const hidden = frames.filter((frame) => !frame.visible);
  if (blocking) {
    // Rendering waited for the module: the first frame already had the final order.
    assert.equal(frames[0].visible, true);
    assert.deepEqual(frames[0].order, order.slice(0, 6));
    assert.ok(!frames.some((frame) => frame.guarded), 'render-guard.js stays out of the way');
  } else {
    // Frames before the reorder kept the grid's place, hidden by render-guard.js.
    for (const frame of hidden) assert.ok(frame.guarded, 'a frame before the reorder was hidden by the guard');
  }
  console.log(`${ENGINE}: blocking="render" ${blocking ? 'supported' : 'unsupported'}; ${hidden.length} frame(s) before the reorder, ${shown.length} after`);
});

test('hostile product titles stay inert: text everywhere, nothing executed', async () => {
  const hostile = ['<img src=x onerror="window.__xss = 1">', '</script><script>window.__xss = 2</script>', '"><svg onload="window.__xss = 3">'];
  const catalogue = structuredClone(CATALOGUE);
  for (const [i, id] of SHOP_ORDER.slice(0, 3).entries()) {
    const product = catalogue.find((p) => String(p.id) === id);
    product.title = hostile[i];
    product.brand = hostile[(i + 1) % 3];
  }
  server.catalogue = catalogue;
  await shop.open('/');
  await shop.click('#consent-accept');
  await shop.viewCard(SHOP_ORDER[0]);
  await shop.click('#open-privacy');
  await waitFor(async () => /<img|<\/script>|"><svg/.test(await shop.run('return document.getElementById("interests").textContent')), 'the hostile brand in the panel');
  await shop.click('#close-privacy');
  await shop.driver.findElement({ css: '#search' }).sendKeys('<img');
  await waitFor(() => shop.visible('#search-suggestions'), 'suggestions');
  const outcome = await shop.run(`return {
    xss: window.__xss ?? null,
    injected: document.querySelectorAll('img[src="x"], svg[onload], #grid script').length,
    titles: [...document.querySelectorAll('#grid .card-title')].slice(0, 3).map((t) => t.textContent),
  }`);
  assert.equal(outcome.xss, null, 'nothing executed');
  assert.equal(outcome.injected, 0, 'no element made from product data');
  assert.deepEqual(outcome.titles.sort(), [...hostile].sort());
});

test('storage that throws on every write (Safari private browsing): the shop works in memory and offers the download', async () => {
  await shop.open('/', { inject: ['private-storage'] });
  assert.equal(await shop.visible('#storage-notice'), false, 'nothing to say before consent');
  await shop.click('#consent-accept');
  await waitFor(() => shop.visible('#storage-notice'), 'the storage notice');
  assert.equal(await shop.run('return document.getElementById("storage-notice").dataset.state'), 'memory');
  assert.match(await shop.text('#storage-notice'), /forgotten when you leave/);
  assert.equal(await shop.text('#storage-notice-action'), 'Download my data');
  const before = await shop.gridIds();
  await shop.viewProducts('laptops', 3);
  assert.deepEqual(await shop.storedKeys(), [], 'every write threw: nothing stored');
  await shop.click('#open-privacy');
  await shop.waitForText('#interests', 'Laptops');
  await shop.waitForText('#privacy-stats', 'forgotten when you leave');
  // Ranking works in memory: the grid, ranked again, puts laptops first.
  await shop.click('#close-privacy');
  await shop.selectCategory('smartphones');
  await shop.selectCategory('');
  const after = await shop.gridIds();
  assert.notDeepEqual(after, before);
  assert.equal(byId.get(after[0]).category, 'laptops');
  // What the shopper can take along: an export made in memory holds the six events.
  const exported = await shop.runAsync(`
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'private-export' });
    const modes = [];
    shelf.addEventListener('storagechange', () => modes.push(shelf.storageMode));
    shelf.grantConsent();
    shelf.track({ type: 'view', product: { id: 'p1', category: 'laptops' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const file = JSON.parse(shelf.profile.export());
    shelf.close();
    return { modes, events: file.summary.events, format: file.format };`);
  assert.deepEqual(exported, { modes: ['memory'], events: 1, format: 'shelfwise-export' });
});

test('a profile the browser deleted (Safari ITP) is told from a new one when the CMP remembers a grant, and comes back from the file', async () => {
  // First visit: the shopper accepts in the CMP and views two laptops; they download their data.
  await shop.open('/?cmp=action', { inject: ['cmp'] });
  assert.equal(await shop.visible('#consent-banner'), false, 'the CMP decided');
  await shop.viewProducts('laptops', 2);
  await shop.run('window.dispatchEvent(new Event("pagehide"))');
  assert.equal(await shop.visible('#storage-notice'), false, 'a new shopper: nothing was deleted');
  const exported = await shop.runAsync(`
    const { Shelfwise } = await import('/shelfwise/index.js');
    const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
    const file = shelf.profile.export();
    shelf.close();
    return file;`);
  // The next visit: the CMP loads its stored choices and the profile is on file.
  await shop.open('/?cmp=loaded', { inject: ['cmp'] });
  assert.equal(await shop.visible('#storage-notice'), false);
  assert.equal(await shop.countedEvents(), 4);
  // Seven days without a visit: WebKit deletes the site's script-written storage; the
  // CMP's own record (set by its server) is still there.
  await shop.run('localStorage.clear(); sessionStorage.clear();');
  await shop.open('/?cmp=loaded', { inject: ['cmp'] });
  await waitFor(() => shop.visible('#storage-notice'), 'the eviction notice');
  assert.equal(await shop.run('return document.getElementById("storage-notice").dataset.state'), 'evicted');
  assert.match(await shop.text('#storage-notice'), /deleted what this shop had learned/);
  assert.equal(await shop.text('#storage-notice-action'), 'Import my data');
  assert.ok((await shop.storedKeys()).includes('shelfwise:harbor-market:v3'), 'the grant is on file again');
  // The shopper brings the file back.
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'shelfwise-')), 'harbor-market-profile.json');
  writeFileSync(file, exported);
  await shop.driver.findElement({ css: '#import-profile' }).sendKeys(file);
  await shop.waitForText('#privacy-feedback', 'Your profile was imported');
  assert.equal(await shop.visible('#storage-notice'), false, 'nothing is missing any more');
  assert.equal(await shop.countedEvents(), 4);
  await shop.click('#open-privacy');
  await shop.waitForText('#interests', 'Laptops');
});

test('Global Privacy Control: Firefox sends it when the shopper turns it on, and it denies; WebKit sends none, and the banner asks', async () => {
  if (ENGINE === 'webkit') {
    // Safari has no GPC: nothing to read, so the shop's banner asks, as for anyone else.
    await shop.open('/');
    assert.equal(await shop.run('return "globalPrivacyControl" in navigator'), false);
    assert.ok(await shop.visible('#consent-banner'));
    assert.equal(await shop.run('return document.getElementById("banner-gpc").dataset.gpc'), 'false');
    return;
  }
  // A session of its own: the shopper's Firefox with GPC turned on in its settings.
  const gpc = await startBrowser({
    firefoxPrefs: { 'privacy.globalprivacycontrol.enabled': true, 'privacy.globalprivacycontrol.functionality.enabled': true },
  });
  try {
    const other = new Shop(gpc.driver, server);
    await other.open('/');
    assert.equal(await other.run('return navigator.globalPrivacyControl'), true);
    assert.equal(await other.visible('#consent-banner'), false, 'GPC is an answer: not asked');
    await other.viewProducts('laptops', 2);
    assert.deepEqual(await other.storedKeys(), [], 'denied: nothing stored, not even a refusal of its own');
    await other.click('#open-privacy');
    await other.waitForText('#privacy-consent', 'Global Privacy Control');
    await other.waitForText('#privacy-consent', 'Personalization is off');
    // The shopper can still turn it on in the shop: that grant wins.
    await other.click('#toggle-consent');
    await other.waitForText('#privacy-consent', 'Personalization is on');
    assert.ok((await other.storedKeys()).includes('shelfwise:harbor-market:v3'));
    assert.deepEqual(await other.takeProblems(), []);
  } finally {
    await gpc.quit();
  }
});
