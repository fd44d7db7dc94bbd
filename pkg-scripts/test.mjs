// Runs every check and test suite, continuing past failures, and ends with one line
// `N passed, N failed` summing them all. Usage: node pkg-scripts/test.mjs
// (npm test runs setup first). Set SHELFWISE_SKIP=e2e,packaging to skip suites locally
// (`e2e` skips the end-to-end suites of every engine; `e2e-firefox`, `e2e-webkit`,
// `browser-firefox`, `shop` one each).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMEDRIVER, CHROMIUM, CHROMIUM_ARGS, FIREFOX, GECKODRIVER, ROOT, SHOP_PYTHON, WASM_TARGET, wasmCargo } from './toolchain.mjs';

const RESULTS = join(ROOT, 'test-results');
rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });
const skip = new Set((process.env.SHELFWISE_SKIP ?? '').split(',').filter(Boolean));

/** Runs a command with live output; resolves with its exit code and captured stdout. */
function execute(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', (error) => resolve({ code: 127, output: String(error) }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** `test result: ok. 5 passed; 1 failed` lines of cargo test / wasm-bindgen-test. */
function cargoCounts(output) {
  let passed = 0;
  let failed = 0;
  for (const match of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(match[1]);
    failed += Number(match[2]);
  }
  return { passed, failed };
}

/** node --test's spec reporter summary. */
function nodeTestCounts(output) {
  const pick = (name) => Number(output.match(new RegExp(`^ℹ ${name} (\\d+)`, 'm'))?.[1] ?? 0);
  return { passed: pick('pass'), failed: pick('fail') + pick('cancelled') };
}

/** unittest's summary: `Ran 12 tests`, then `OK` or `FAILED (failures=1, errors=2, skipped=1)`. */
function unittestCounts(output) {
  const ran = Number(output.match(/^Ran (\d+) tests?/m)?.[1] ?? 0);
  const pick = (name) => Number(output.match(new RegExp(`^(?:OK|FAILED) \\(.*\\b${name}=(\\d+)`, 'm'))?.[1] ?? 0);
  const failed = pick('failures') + pick('errors') + pick('unexpected successes');
  return { passed: ran - failed - pick('skipped') - pick('expected failures'), failed };
}

function playwrightCounts() {
  try {
    const { stats } = JSON.parse(readFileSync(join(RESULTS, 'e2e.json'), 'utf8'));
    return { passed: stats.expected + stats.flaky, failed: stats.unexpected };
  } catch {
    return { passed: 0, failed: 0 };
  }
}

const wasm = wasmCargo();
// wasm-bindgen-test-runner takes the first driver named in its environment (GECKODRIVER
// before CHROMEDRIVER): each run names only its own, with its capabilities in a file.
function webdriverEnv(driver, path, capabilities) {
  const file = join(RESULTS, `webdriver-${driver}.json`);
  writeFileSync(file, JSON.stringify(capabilities, null, 2));
  const env = { ...wasm.env, WASM_BINDGEN_TEST_WEBDRIVER_JSON: file, WASM_BINDGEN_TEST_TIMEOUT: '120' };
  for (const name of ['CHROMEDRIVER', 'GECKODRIVER', 'SAFARIDRIVER', 'MSEDGEDRIVER']) delete env[name];
  env[driver.toUpperCase()] = path;
  return env;
}
const chromiumEnv = wasm && webdriverEnv('chromedriver', CHROMEDRIVER, { 'goog:chromeOptions': { binary: CHROMIUM, args: CHROMIUM_ARGS } });
const firefoxEnv = wasm && webdriverEnv('geckodriver', GECKODRIVER, { 'moz:firefoxOptions': { binary: FIREFOX, args: ['-headless'] } });

/** The WebDriver end-to-end suite (tests/webdriver/) in one engine. */
const webdriverSuite = (engine) => () =>
  execute('node', ['--test', '--test-reporter=spec', 'tests/webdriver/'], { ...process.env, SHELFWISE_ENGINE: engine });

// kind: 'check' counts as one test; otherwise counts come from the runner's output.
// required: later steps need it (they are reported failed, not run, when it fails).
const steps = [
  {
    name: 'rustfmt',
    kind: 'check',
    // The library, and the fuzz targets (their own workspace).
    run: async () => {
      const library = await execute('cargo', ['fmt', '--all', '--check']);
      const fuzz = await execute('cargo', ['fmt', '--manifest-path', 'fuzz/Cargo.toml', '--check']);
      return { code: library.code || fuzz.code, output: library.output + fuzz.output };
    },
  },
  {
    name: 'clippy (native)',
    kind: 'check',
    run: () => execute('cargo', ['clippy', '--workspace', '--all-targets', '--all-features', '--', '-D', 'warnings']),
  },
  {
    name: 'clippy (wasm32)',
    kind: 'check',
    needsWasm: true,
    // Every crate that ships in wasm: both boundaries, their shared glue and the core.
    run: () =>
      execute(
        wasm.cargo,
        ['clippy', '--target', WASM_TARGET, '-p', 'shelfwise', '-p', 'shelfwise-tools', '-p', 'shelfwise-glue', '-p', 'shelfwise-core', '--lib', '--tests', '--', '-D', 'warnings'],
        wasm.env,
      ),
  },
  { name: 'build package', kind: 'check', required: true, run: () => execute('node', ['pkg-scripts/build.mjs']) },
  { name: 'native tests', kind: 'cargo', run: () => execute('cargo', ['test', '--workspace']) },
  {
    name: 'browser tests (wasm-bindgen-test, Chromium)',
    kind: 'cargo',
    needsWasm: true,
    run: () => execute(wasm.cargo, ['test', '--target', WASM_TARGET, '--test', 'browser'], chromiumEnv),
  },
  {
    // No -q here: the runner rejects --quiet under geckodriver.
    name: 'browser tests (wasm-bindgen-test, Firefox)',
    id: 'browser-firefox',
    kind: 'cargo',
    needsWasm: true,
    run: () => execute(wasm.cargo, ['test', '--target', WASM_TARGET, '--test', 'browser'], firefoxEnv),
  },
  {
    name: 'JS face (Node)',
    kind: 'node-test',
    run: () => execute('node', ['--test', '--test-reporter=spec', 'tests/face/']),
  },
  {
    name: 'end-to-end (Playwright)',
    id: 'e2e',
    kind: 'playwright',
    run: () =>
      execute(join(ROOT, 'node_modules', '.bin', 'playwright'), ['test', '-c', 'tests/e2e/playwright.config.mjs']),
  },
  { name: 'end-to-end (WebDriver, Firefox)', id: 'e2e-firefox', group: 'e2e', kind: 'node-test', run: webdriverSuite('firefox') },
  { name: 'end-to-end (WebDriver, WebKit)', id: 'e2e-webkit', group: 'e2e', kind: 'node-test', run: webdriverSuite('webkit') },
  {
    name: 'packaging',
    id: 'packaging',
    kind: 'node-test',
    run: () => execute('node', ['--test', '--test-reporter=spec', 'tests/packaging/']),
  },
  {
    // The shop side (shop/): DuckDB and Spark against the math and the Rust CLI. The CLI is
    // the one the native tests built; one Spark session serves every test.
    name: 'shop side (DuckDB, Spark)',
    id: 'shop',
    kind: 'unittest',
    run: () => execute(SHOP_PYTHON, ['shop/run_tests.py']),
  },
  { name: 'size budget', kind: 'check', run: () => execute('node', ['pkg-scripts/size.mjs']) },
  // A short run of every fuzz target (the long runs: README, "Guarantees").
  { name: 'fuzzing smoke', id: 'fuzz', kind: 'check', run: () => execute('bash', ['pkg-scripts/fuzz.sh', '3']) },
];

const results = [];
let blocked = null;
for (const step of steps) {
  if ((step.id && skip.has(step.id)) || (step.group && skip.has(step.group))) continue;
  console.log(`\n=== ${step.name} ===`);
  if (blocked || (step.needsWasm && !wasm)) {
    console.log(`not run: ${blocked ?? 'no wasm32 toolchain (run npm run setup)'}`);
    results.push({ name: step.name, passed: 0, failed: 1 });
    continue;
  }
  const started = Date.now();
  const { code, output } = await step.run();
  let counts;
  if (step.kind === 'check') counts = code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  else if (step.kind === 'cargo') counts = cargoCounts(output);
  else if (step.kind === 'node-test') counts = nodeTestCounts(output);
  else if (step.kind === 'unittest') counts = unittestCounts(output);
  else counts = playwrightCounts();
  // A runner that failed without reporting a failed test (crash, compile error) still fails.
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  results.push({ name: step.name, ...counts, seconds: (Date.now() - started) / 1000 });
  if (step.required && code !== 0) blocked = `${step.name} failed`;
}

console.log('\n=== summary ===');
for (const r of results) {
  const time = r.seconds === undefined ? '' : ` (${r.seconds.toFixed(1)} s)`;
  console.log(`${r.failed ? 'FAIL' : 'ok  '} ${r.name}: ${r.passed} passed, ${r.failed} failed${time}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
