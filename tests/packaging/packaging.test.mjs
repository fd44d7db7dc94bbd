// Tests the package as users install it: `npm pack`, install the tarball into fresh
// projects, import it in Node (touching no browser global) and run it in a page built
// with the pinned Vite, in headless Chromium.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from '../../pkg-scripts/toolchain.mjs';
import { createStaticServer, listen } from '../../pkg-scripts/serve.mjs';

const work = mkdtempSync(join(tmpdir(), 'shelfwise-packaging-'));
let tarball;
let packedFiles;

function npm(args, cwd) {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
}

/** A project with only the tarball installed, the way a shop's would be. */
function project(name, files = {}) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  npm(['install', tarball], dir);
  return dir;
}

before(() => {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT));
  tarball = join(work, packed.filename);
  packedFiles = packed.files.map((f) => f.path).sort();
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('the build', () => {
  test('an up-to-date dist/ is reused, not rebuilt (what npm start relies on)', () => {
    // npm test has just built dist/: nothing changed since, so the build says so and
    // stops before compiling anything.
    const output = execFileSync('node', [join(ROOT, 'pkg-scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.match(output, /^build: dist\/ is up to date .*reusing it/m);
    assert.doesNotMatch(output, /cargo|wasm-bindgen|tsc/);
  });
});

describe('the npm tarball', () => {
  test('ships only the package files', () => {
    assert.deepEqual(packedFiles, [
      'LICENSE',
      'README.md',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/input.d.ts',
      'dist/input.js',
      'dist/load.d.ts',
      'dist/load.js',
      'dist/node.d.ts',
      'dist/node.js',
      'dist/options.d.ts',
      'dist/options.js',
      'dist/rows.d.ts',
      'dist/rows.js',
      'dist/sealed.d.ts',
      'dist/sealed.js',
      'dist/signals.d.ts',
      'dist/signals.js',
      'dist/sync.d.ts',
      'dist/sync.js',
      'dist/tools.d.ts',
      'dist/tools.js',
      'dist/tools/shelfwise_tools.d.ts',
      'dist/tools/shelfwise_tools.js',
      'dist/tools/shelfwise_tools_bg.wasm',
      'dist/tools/shelfwise_tools_bg.wasm.d.ts',
      'dist/types.d.ts',
      'dist/wasm/shelfwise.d.ts',
      'dist/wasm/shelfwise.js',
      'dist/wasm/shelfwise_bg.wasm',
      'dist/wasm/shelfwise_bg.wasm.d.ts',
      'dist/wasm/shelfwise_inline.d.ts',
      'dist/wasm/shelfwise_inline.js',
      'dist/wire.d.ts',
      'dist/wire.js',
      'dist/words.d.ts',
      'dist/words.js',
      'package.json',
    ]);
  });

  test('declares types first in every export condition', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const conditions = Object.keys(manifest.exports['.']);
    assert.equal(conditions[0], 'types');
    assert.deepEqual(conditions.slice(1), ['node', 'browser', 'import', 'default']);
    assert.equal(manifest.sideEffects, false);
    assert.equal(manifest.type, 'module');
  });
});

describe('in Node', () => {
  test('imports without touching browser globals, then ranks in memory', () => {
    const dir = project('node-app', {
      'check.mjs': `
        const touched = [];
        for (const name of ['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'location']) {
          Object.defineProperty(globalThis, name, { configurable: true, get() { touched.push(name); return undefined; } });
        }
        const { Shelfwise } = await import('shelfwise');
        const touchedAtImport = [...touched];
        const shelf = await Shelfwise.open({ namespace: 'ssr' });
        const before = shelf.rank([{ id: 'a', category: 'x' }, { id: 'b', category: 'y' }], { strength: 1 });
        shelf.grantConsent();
        shelf.track({ type: 'add_to_cart', product: { id: 'b', category: 'y', price: 20 } });
        const after = shelf.rank([{ id: 'a', category: 'x' }, { id: 'b', category: 'y' }], { strength: 1 });
        let code = null;
        try { shelf.track({ type: 'view', product: { id: 10n } }); } catch (e) { code = e.code; }
        console.log(JSON.stringify({
          touchedAtImport,
          storageMode: shelf.storageMode,
          before: before.map((r) => r.product.id),
          after: after.map((r) => r.product.id),
          code,
        }));
      `,
    });
    const output = execFileSync('node', ['check.mjs'], { cwd: dir, encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').at(-1));
    assert.deepEqual(result, {
      touchedAtImport: [],
      storageMode: 'memory',
      before: ['a', 'b'],
      after: ['b', 'a'],
      code: 'invalid_event',
    });
  });
});

describe("the shop's tools in Node", () => {
  test('bucketing and the estimator run from the installed tarball', () => {
    const dir = project('tools-app', {
      'check.mjs': `
        import { bucketing, estimate } from 'shelfwise';
        const gb = await bucketing();
        const reports = ['personalized', 'holdout'].map((group) => ({
          format: 'shelfwise-report', version: 1, epsilon: 10, revenueStep: 25, modules: ['grid'], group,
          bits: group === 'personalized' ? '10001000000000000000' : '10000000000000000000',
        }));
        const found = await estimate(reports);
        const clicks = found.groups.find((g) => g.group === 'personalized').metrics.find((m) => m.metric === 'clicks');
        console.log(JSON.stringify({ hash: gb.hash('seed', 'a', 2), baseline: found.baseline, lift: Math.round(clicks.lift.value) }));
      `,
    });
    const output = execFileSync('node', ['check.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1)), { hash: 0.0505, baseline: 'holdout', lift: 1 });
  });
});

describe('TypeScript', () => {
  test('a strict typed usage example compiles against the shipped declarations', () => {
    const dir = project('typed-app');
    cpSync(join(ROOT, 'tests', 'packaging', 'fixtures', 'typed'), dir, { recursive: true });
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'inherit' });
  });

  test('the shipped declarations use no `any`', () => {
    const dir = join(work, 'typed-app', 'node_modules', 'shelfwise', 'dist');
    const declarations = packedFiles.filter((file) => file.endsWith('.d.ts'));
    assert.ok(declarations.length >= 6, `${declarations}`);
    for (const file of declarations) {
      const text = readFileSync(join(dir, file.replace(/^dist\//, '')), 'utf8')
        // Comments may say "any"; types may not.
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      assert.doesNotMatch(text, /\bany\b/, `${file} declares an any`);
    }
  });
});

/**
 * The same storefront (fixtures/storefront: main.js imports 'shelfwise') built three
 * ways from the installed tarball: with the pinned Vite, with the pinned webpack, and
 * as a plain `<script type="module">` page importing the package's files directly.
 * Returns the directory to serve.
 */
const BUILDS = {
  async vite(dir) {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: dir, stdio: 'inherit' });
    return join(dir, 'dist');
  },
  async webpack(dir) {
    const { default: webpack } = await import('webpack');
    const out = join(dir, 'dist');
    const stats = await new Promise((resolve, reject) =>
      webpack(
        {
          mode: 'production',
          context: dir,
          entry: './main.js',
          // Resolve 'shelfwise' from the app's own node_modules, as a shop's build would.
          resolve: { modules: [join(dir, 'node_modules')] },
          output: { path: out, filename: 'main.js', module: true, chunkFormat: 'module' },
          experiments: { outputModule: true },
          performance: { hints: false },
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
    assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
    cpSync(join(dir, 'index.html'), join(out, 'index.html'));
    cpSync(join(dir, 'public'), out, { recursive: true });
    return out;
  },
  async plain(dir) {
    // No build: the page imports the installed package's files by path.
    const main = readFileSync(join(dir, 'main.js'), 'utf8').replace("from 'shelfwise'", "from './node_modules/shelfwise/dist/index.js'");
    writeFileSync(join(dir, 'main.js'), main);
    cpSync(join(dir, 'public'), dir, { recursive: true });
    return dir;
  },
};

describe('storefronts built from the tarball, in Chromium', () => {
  let browser;
  const servers = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}; run npm run setup or set CHROMIUM_PATH`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    for (const server of servers) server.close();
  });

  for (const [name, build] of Object.entries(BUILDS)) {
    test(`${name}: builds, ranks, persists across reloads, and keeps the console empty`, async () => {
      const dir = project(`${name}-app`);
      cpSync(join(ROOT, 'tests', 'packaging', 'fixtures', 'storefront'), dir, { recursive: true });
      const server = createStaticServer([['/', await build(dir)]]);
      servers.push(server);
      const { port } = await listen(server, 0);
      const origin = `http://127.0.0.1:${port}`;

      const page = await browser.newPage();
      const problems = [];
      const foreign = [];
      page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => !r.url().startsWith(origin) && foreign.push(r.url()));

      const result = async () => {
        await page.waitForSelector('body[data-result]');
        return JSON.parse(await page.getAttribute('body', 'data-result'));
      };
      await page.goto(`${origin}/`);
      const first = await result();
      assert.equal(first.firstVisit, true);
      assert.equal(first.consent, 'granted');
      assert.equal(first.storageMode, 'persistent');
      assert.equal(first.errorCode, 'invalid_event');
      assert.deepEqual(first.order.slice(0, 2).sort(), [3, 5], 'the laptops lead: the one in the cart and the one just viewed');

      await page.reload();
      const second = await result();
      assert.equal(second.firstVisit, false, 'consent persisted');
      assert.equal(second.events, 2, 'profile persisted');
      assert.deepEqual(second.order, first.order);
      assert.deepEqual(problems, []);
      assert.deepEqual(foreign, []);
      await page.close();
    });
  }
});
