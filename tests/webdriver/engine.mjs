// The WebDriver suite's harness: the demo shop served as `npm start` serves it (with a
// probe injected into each page), one browser of SHELFWISE_ENGINE (`firefox`: Firefox ESR
// through geckodriver, headless; `webkit`: WebKitGTK's MiniBrowser through WebKitWebDriver,
// under Xvfb), and the shop steps the tests share. Playwright drives only its own patched
// Firefox and WebKit builds, so these two engines are driven through W3C WebDriver.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Builder, By, Key } from 'selenium-webdriver';
import { createStaticServer, listen, SHOP_MOUNTS } from '../../pkg-scripts/serve.mjs';
import { FIREFOX, GECKODRIVER, MINIBROWSER, WEBKIT_WEBDRIVER } from '../../pkg-scripts/toolchain.mjs';

export { By, Key };

export const ENGINE = process.env.SHELFWISE_ENGINE ?? 'firefox';
if (!['firefox', 'webkit'].includes(ENGINE)) throw new Error(`SHELFWISE_ENGINE must be firefox or webkit, not ${ENGINE}`);

const PAGE_SCRIPTS = fileURLToPath(new URL('./page', import.meta.url));
/** The shop's catalogue, as www/data/products.json holds it. */
export const CATALOGUE = JSON.parse(readFileSync(new URL('../../www/data/products.json', import.meta.url), 'utf8'));

/** A free TCP port on the loopback interface. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The demo shop, served by pkg-scripts/serve.mjs, with two additions for the tests: every
 * HTML page starts with page/probe.js (and the scripts a test names in `?inject=`, from
 * page/), and the probe's reports arrive at POST /__test/problem. `catalogue`, when set,
 * replaces the shop's products.json (hostile titles).
 */
export async function startShop() {
  const shop = { problems: [], catalogue: null, url: '' };
  const server = createStaticServer([['/__test/', PAGE_SCRIPTS], ...SHOP_MOUNTS], {
    shop: true,
    page: (html, url) => {
      const injected = ['probe', ...(url.searchParams.get('inject') ?? '').split(',').filter(Boolean)];
      const tags = injected.map((name) => `<script src="/__test/${encodeURIComponent(name)}.js"></script>`).join('');
      return html.replace(/<head>/i, `<head>${tags}`);
    },
  });
  const [serve] = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (request, response) => {
    if (request.method === 'POST' && request.url === '/__test/problem') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        try {
          const { page, text } = JSON.parse(body);
          shop.problems.push(`${page}: ${text}`);
        } catch {
          shop.problems.push(`unreadable report: ${body.slice(0, 200)}`);
        }
        response.writeHead(204).end();
      });
      return;
    }
    if (shop.catalogue && request.url === '/data/products.json') {
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
      response.end(JSON.stringify(shop.catalogue));
      return;
    }
    serve(request, response);
  });
  const { port } = await listen(server, 0);
  shop.url = `http://127.0.0.1:${port}`;
  shop.close = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return shop;
}

/**
 * The engine's WebDriver server, started in its own process group, and a session in it.
 * `firefoxPrefs`: Firefox preferences for this session (a shopper's own settings).
 */
export async function startBrowser({ firefoxPrefs = {} } = {}) {
  const port = await freePort();
  const [command, args, capabilities] =
    ENGINE === 'firefox'
      ? [
          GECKODRIVER,
          ['--port', String(port), '--host', '127.0.0.1'],
          { browserName: 'firefox', 'moz:firefoxOptions': { binary: FIREFOX, args: ['-headless'], prefs: firefoxPrefs } },
        ]
      : [
          // MiniBrowser has no headless mode: a virtual display (-a: a free display number).
          'xvfb-run',
          ['-a', WEBKIT_WEBDRIVER, `--port=${port}`],
          { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } },
        ];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  let exited = null;
  child.on('exit', (code) => (exited = code ?? -1));
  child.on('error', (error) => (exited = error.message));
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  const server = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited !== null) throw new Error(`${command} exited (${exited}) before it answered`);
    try {
      if ((await fetch(`${server}/status`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`${command} did not answer on ${server} within 20 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let driver;
  try {
    driver = await new Builder().usingServer(server).withCapabilities(capabilities).build();
  } catch (error) {
    stop();
    throw error;
  }
  const version = (await driver.getCapabilities()).get('browserVersion');
  return {
    driver,
    version,
    async quit() {
      await driver.quit().catch(() => {});
      stop();
    },
  };
}

/** Waits until `condition()` (async) returns something truthy; returns it. */
export async function waitFor(condition, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await condition();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The steps the tests take in the demo, on one driver. Between tests `reset()` leaves
 * one window on a blank page of the shop with empty storage.
 */
export class Shop {
  constructor(driver, shop) {
    this.driver = driver;
    this.shop = shop;
  }

  /** Runs `source` (a function body, `arguments` as given) in the current window. */
  run(source, ...args) {
    return this.driver.executeScript(source, ...args);
  }

  /** Runs an async function body in the page and returns what it resolves to (or throws its error). */
  async runAsync(source, ...args) {
    const result = await this.driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       (async (...args) => { ${source} })(...Array.prototype.slice.call(arguments, 0, -1))
         .then((value) => done({ value }), (error) => done({ error: String(error && error.stack || error) }));`,
      ...args,
    );
    if (result.error) throw new Error(`in the page: ${result.error}`);
    return result.value;
  }

  /** Opens the shop at `path` (holdout 0 unless the path says) and waits for it to be ready. */
  async open(path = '/', { inject = [] } = {}) {
    const url = new URL(path, this.shop.url);
    if (!url.searchParams.has('holdout')) url.searchParams.set('holdout', '0');
    if (inject.length) url.searchParams.set('inject', inject.join(','));
    await this.driver.get(url.href);
    await this.ready();
  }

  async ready() {
    await waitFor(() => this.run('return document.body && document.body.dataset.ready === "true"'), 'the shop to be ready');
    if (!(await this.run('return window.__probe === true'))) throw new Error('page/probe.js did not run in this page');
  }

  async reload() {
    await this.driver.navigate().refresh();
    await this.ready();
  }

  /** Clicks the element, scrolled to the middle of the window (the consent banner covers the bottom). */
  async click(selector) {
    const element = await this.driver.findElement(By.css(selector));
    await this.run('arguments[0].scrollIntoView({ block: "center" })', element);
    await element.click();
  }

  async text(selector) {
    return this.driver.findElement(By.css(selector)).getText();
  }

  async visible(selector) {
    return this.run('const el = document.querySelector(arguments[0]); return !!el && !el.hidden && el.getClientRects().length > 0;', selector);
  }

  /** Waits until the element's text contains `text`. */
  async waitForText(selector, text, timeout) {
    return waitFor(async () => (await this.run('return document.querySelector(arguments[0])?.textContent ?? ""', selector)).includes(text), `${selector} to say "${text}"`, timeout);
  }

  /** The product ids of the grid's current page, top to bottom. */
  gridIds() {
    return this.run('return [...document.querySelectorAll("#grid li.card")].map((card) => card.dataset.productId);');
  }

  /** Opens a product's page from its card and closes it again (a `click` in the grid and a `view`). */
  async viewCard(id) {
    await this.click(`#grid li.card[data-product-id="${id}"] .card-open`);
    await waitFor(() => this.visible('#product-dialog'), 'the product page');
    await this.driver.actions().sendKeys(Key.ESCAPE).perform();
    await waitFor(async () => !(await this.visible('#product-dialog')), 'the product page to close');
  }

  /** Views the first `count` products of `category` as the grid shows them with the category chosen; returns their ids. */
  async viewProducts(category, count) {
    await this.selectCategory(category);
    const ids = (await this.run('return [...document.querySelectorAll(`#grid li.card[data-category="${arguments[0]}"]`)].map((c) => c.dataset.productId);', category)).slice(0, count);
    for (const id of ids) await this.viewCard(id);
    await this.selectCategory('');
    return ids;
  }

  async selectCategory(category) {
    await this.run('document.getElementById("category-filter").scrollIntoView({ block: "center" })');
    await this.driver.findElement(By.css(`#category-filter option[value="${category}"]`)).click();
    await waitFor(
      () => this.run('return [...document.querySelectorAll("#grid li.card")].every((card) => !arguments[0] || card.dataset.category === arguments[0]);', category),
      `the grid to show ${category || 'every category'}`,
    );
  }

  /** Every key in localStorage and sessionStorage that starts with `prefix`. */
  storedKeys(prefix = 'shelfwise') {
    return this.run(
      'return [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((key) => key.startsWith(arguments[0])).sort();',
      prefix,
    );
  }

  /** What a fresh Shelfwise instance on the demo's namespace counts, opened in this page. */
  countedEvents() {
    return this.runAsync(`
      const { Shelfwise } = await import('/shelfwise/index.js');
      const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
      const events = shelf.profile.summary().events;
      shelf.close();
      return events;`);
  }

  /** Problems the probe reported since the last call (waits briefly for beacons in flight). */
  async takeProblems() {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const local = await this.run('return window.__problems ?? []').catch(() => []);
    const problems = [...this.shop.problems, ...local];
    this.shop.problems.length = 0;
    return problems;
  }

  /** One window, on a blank page of the shop, with nothing stored. */
  async reset() {
    const handles = await this.driver.getAllWindowHandles();
    for (const handle of handles.slice(1)) {
      await this.driver.switchTo().window(handle);
      await this.driver.close();
    }
    await this.driver.switchTo().window(handles[0]);
    await this.driver.get(`${this.shop.url}/__test/blank.html`);
    await this.run('localStorage.clear(); sessionStorage.clear();');
    this.shop.catalogue = null;
    this.shop.problems.length = 0;
  }

  /** Opens another window (a second tab of the same shopper) and switches to it; returns its handle. */
  async newWindow() {
    await this.driver.switchTo().newWindow('window');
    return this.driver.getWindowHandle();
  }
}
