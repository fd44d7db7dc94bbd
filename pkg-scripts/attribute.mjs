// `npm run attribute`: where the shopper's wasm module's bytes come from. Rebuilds the
// release module's wasm-bindgen output with names kept, optimizes it exactly as the
// shipped one (names aside), and sums twiggy's per-function sizes by owner: each core
// module, the boundary crate, wasm-bindgen, std, the allocator, data. Functions inlined
// into another stay with the function they were inlined into, as in the shipped module.
// Usage: node pkg-scripts/attribute.mjs [--json]   (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TOOLS_DIR, WASM_OPT_FLAGS, WASM_TARGET, releaseBuild, run, wasmCargo } from './toolchain.mjs';


const TWIGGY_VERSION = '0.8.0';
const twiggy = join(TOOLS_DIR, 'bin', 'twiggy');
if (!existsSync(twiggy)) {
  console.error(`attribute: cargo install twiggy ${TWIGGY_VERSION} into ${TOOLS_DIR} (about 2 minutes, once)`);
  run('cargo', ['install', '-q', 'twiggy', '--version', TWIGGY_VERSION, '--root', TOOLS_DIR]);
}
const release = releaseBuild(wasmCargo());
const input = join(release.targetDir, WASM_TARGET, 'release', 'shelfwise.wasm');
if (!existsSync(input)) {
  console.error('attribute: the release module is missing; run `npm run build` first');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'shelfwise-attribute-'));
run(join(TOOLS_DIR, 'bin', 'wasm-bindgen'), ['--keep-debug', '--target', 'web', '--out-dir', dir, '--out-name', 'shelfwise', input]);
const named = join(dir, 'named.wasm');
run(join(ROOT, 'node_modules', '.bin', 'wasm-opt'), [...WASM_OPT_FLAGS.filter((f) => !f.startsWith('--strip')), '--debuginfo', join(dir, 'shelfwise_bg.wasm'), '-o', named]);
const csv = execFileSync(twiggy, ['top', '-n', '1000000', '--format', 'csv', named], { encoding: 'utf8', maxBuffer: 1 << 28 });
rmSync(dir, { recursive: true, force: true });

/** The owner of a function, by the first crate path in its name. */
function owner(name) {
  const clean = name.replace(/\[[0-9a-f]+\]/g, '');
  const core = clean.match(/shelfwise_core::(\w+)/);
  if (core) return `core::${core[1]}`;
  if (/shelfwise::|shelfwise_glue::/.test(clean)) return 'boundary (engine, storage, glue)';
  if (/wasm_bindgen|__wbg|__wbindgen|js_sys|web_sys/.test(clean)) return 'wasm-bindgen, js-sys, web-sys';
  if (/hashbrown|rustc_hash/.test(clean)) return 'hashbrown (the catalog\'s maps)';
  if (/talc/.test(clean)) return 'talc (allocator)';
  if (/^data segment/.test(clean)) return 'data (strings, tables)';
  return 'std, core, alloc';
}

const totals = new Map();
let all = 0;
for (const line of csv.split('\n').slice(1)) {
  const match = line.match(/^"?(.*?)"?,(\d+),/);
  if (!match) continue;
  const [, name, size] = match;
  if (/function names|custom section|"producers"/.test(name)) continue;
  const key = owner(name);
  totals.set(key, (totals.get(key) ?? 0) + Number(size));
  all += Number(size);
}
const rows = [...totals].sort((a, b) => b[1] - a[1]);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ total: all, shipped: statSync(join(ROOT, 'dist', 'wasm', 'shelfwise_bg.wasm')).size, owners: Object.fromEntries(rows) }));
} else {
  console.log(`${'owner'.padEnd(36)} ${'bytes'.padStart(8)}  share`);
  for (const [key, size] of rows) console.log(`${key.padEnd(36)} ${String(size).padStart(8)}  ${((100 * size) / all).toFixed(1).padStart(5)}%`);
  console.log(`${'all (before gzip)'.padEnd(36)} ${String(all).padStart(8)}`);
}
