// `npm run bench`: the npm package in headless Chromium (Playwright), timed as a storefront
// calls it, plus the size budget's figure. Prints a table and one JSON line. Figures only:
// no test asserts a time (the targets are in the README and the issue).
// Usage: node pkg-scripts/bench.mjs   (after `npm run build`)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, DIST, ROOT } from './toolchain.mjs';
import { createStaticServer, listen } from './serve.mjs';

if (!existsSync(join(DIST, 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build`');
  process.exit(1);
}
// Printed even when over budget (the budget check itself is `npm run size`).
const size = JSON.parse(spawnSync('node', [join(ROOT, 'pkg-scripts', 'size.mjs'), '--json'], { encoding: 'utf8' }).stdout);

const server = createStaticServer([
  ['/dist/', process.env.SHELFWISE_BENCH_DIST ?? DIST],
  ['/', join(ROOT, 'tests', 'bench')],
]);
const { port } = await listen(server, 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let result;
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('bench page:', error.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 600_000 });
  result = await page.evaluate(() => window.__bench);
} finally {
  await browser.close();
  server.close();
}
if (result.error) {
  console.error(`bench: ${result.error}`);
  process.exit(1);
}

const ms = (value) => `${value < 1 ? value.toFixed(3) : value.toFixed(1)} ms`;
const pair = (t) => `${ms(t.p50)} / ${ms(t.p95)}`;
const ratio = (ours, theirs) => `${(ours / theirs).toFixed(2)}×`;
const { compared } = result;
const rows = [];
for (const size of [100, 1000, 10000]) {
  for (const kind of ['cold', 'warm']) {
    const { shelfwise, reference } = compared.rank[size][kind];
    const target = {
      'cold 1000': '≤ 0.5× and ≤ 0.5 ms p50',
      'cold 10000': '≤ 0.5× and ≤ 5 ms p50',
      'warm 1000': '≤ 0.15 ms p50',
    }[`${kind} ${size}`] ?? '-';
    rows.push([
      `rank ${size.toLocaleString('en')} ${kind} (p50 / p95): Shelfwise | plain JS | ratio`,
      `${pair(shelfwise)} | ${pair(reference)} | ${ratio(shelfwise.p50, reference.p50)}`,
      target,
    ]);
  }
}
rows.push([
  'track() per event, same 2,000 events: Shelfwise | plain JS | ratio',
  `${compared.track.shelfwise.toFixed(1)} µs | ${compared.track.reference.toFixed(1)} µs | ${ratio(compared.track.shelfwise, compared.track.reference)}`,
  '≤ 0.5×',
]);
rows.push(
  ['rerank 1,000 on a 100,000-event profile (p50 / p95)', pair(result.rerank[1000]), '-'],
  ['rerank 10,000 on a 100,000-event profile (p50 / p95)', pair(result.rerank[10000]), '-'],
  ['open() with a 100,000-event profile (p50 / p95)', `${ms(result.openMs.p50)} / ${ms(result.openMs.p95)}`, '≤ 2 ms p50'],
  ['track() per event over 100,000 events, amortized', `${result.trackUs.toFixed(1)} µs`, '≤ 5 µs'],
  [`stored profile after ${result.events.toLocaleString('en')} events`, `${result.profileBytes.toLocaleString('en')} B`, '≤ 32 KB'],
  ['all Shelfwise keys (profile and journals)', `${result.storedTotal.toLocaleString('en')} B`, '-'],
  ['export of the 100,000-event profile: plain | encrypted', `${result.moving.plainBytes.toLocaleString('en')} B | ${result.moving.sealedBytes.toLocaleString('en')} B`, '-'],
  ['encrypted export (PBKDF2 600,000 + AES-GCM)', ms(result.moving.sealMs), '-'],
  ['decrypt and merge into another profile | merge a plain file', `${ms(result.moving.openAndMergeMs)} | ${ms(result.moving.mergeMs)}`, '-'],
  ['shopper download (wasm + glue + face), gzipped', `${size.total.gzip.toLocaleString('en')} B`, '≤ 30 KB'],
);
const width = Math.max(...rows.map((r) => r[0].length));
const valueWidth = Math.max(...rows.map((r) => r[1].length));
console.log(`${'measure'.padEnd(width)}  ${'figure'.padEnd(valueWidth)}  target`);
for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${target}`);
console.log(JSON.stringify({ ...result, shopperGzip: size.total.gzip }));
