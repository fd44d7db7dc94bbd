// Builds the npm package into dist/: release wasm -> wasm-bindgen (web target) ->
// wasm-opt -Oz (npm binaryen) -> TypeScript face. Two modules, one per boundary crate:
// the shopper's (this package, dist/wasm/) and the shop's tools (crates/tools,
// dist/tools/: bucketing, reports, the estimator; loaded only when a page asks).
// Usage: node pkg-scripts/build.mjs [--force]
// An up-to-date dist/ is reused: see "Reusing an up-to-date build" below.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { minify } from 'vite';
import { DIST, ROOT, TOOLS_DIR, WASM_OPT_FLAGS, WASM_TARGET, releaseBuild, run, wasmCargo } from './toolchain.mjs';

const started = Date.now();
const cargo = wasmCargo();
if (!cargo) {
  console.error('build: no wasm32 standard library found; run `npm run setup` first');
  process.exit(1);
}

const release = releaseBuild(cargo);
const how = release.sizeOptimizedStd ? 'std rebuilt for size' : 'prebuilt std: expect a larger module';
const wasmBindgen = join(TOOLS_DIR, 'bin', 'wasm-bindgen');
if (!existsSync(wasmBindgen)) {
  console.error(`build: ${wasmBindgen} is missing; run \`npm run setup\` first`);
  process.exit(1);
}
// Never Debian's binaryen: its wasm-opt silently breaks wasm-bindgen output.
const wasmOpt = join(ROOT, 'node_modules', '.bin', 'wasm-opt');

// Reusing an up-to-date build: `npm start` right after a build (or `npm test`) should
// not spend half a minute rebuilding the same Rust. dist/ is reused when a stamp, written
// last by a complete build and dated when that build started, is newer than every input,
// the build was made the same way (route, flags, compiler), and every file the package
// ships is there. Anything else, or --force, rebuilds all of it.
const STAMP = join(DIST, '.build-stamp.json');
const INPUTS = ['Cargo.toml', 'Cargo.lock', 'package.json', 'package-lock.json', '.cargo', 'crates', 'src', 'pkg-scripts/build.mjs', 'pkg-scripts/toolchain.mjs'];
const recipe = JSON.stringify({ route: cargo.route, args: release.args, rustflags: release.env.RUSTFLAGS ?? '', rustc: rustcVersion(cargo) });

function rustcVersion({ route, env }) {
  try {
    return execFileSync(route === 'debian' ? '/usr/bin/rustc' : 'rustc', ['-V'], { encoding: 'utf8', env }).trim();
  } catch {
    return 'unknown';
  }
}

/** The newest modification time under `path` (a file or a folder), with the file it belongs to. */
function newest(path) {
  let found = { ms: 0, path };
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return found; // an optional input that is not there
  }
  if (!stat.isDirectory()) return { ms: stat.mtimeMs, path };
  for (const entry of readdirSync(path)) {
    const inner = newest(join(path, entry));
    if (inner.ms > found.ms) found = inner;
  }
  return found;
}

/** Why dist/ must be rebuilt, or null when it is up to date. */
function staleBecause() {
  if (process.argv.includes('--force')) return '--force';
  let stamp;
  try {
    stamp = { text: readFileSync(STAMP, 'utf8'), ms: statSync(STAMP).mtimeMs };
  } catch {
    return 'no complete build in dist/';
  }
  if (stamp.text !== recipe) return 'it was built another way';
  const shipped = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).files;
  const missing = shipped.find((file) => !existsSync(join(ROOT, file)));
  if (missing) return `${missing} is missing`;
  for (const input of INPUTS) {
    const { ms, path } = newest(join(ROOT, input));
    if (ms >= stamp.ms) return `${relative(ROOT, path)} changed`;
  }
  return null;
}

const stale = staleBecause();
if (stale === null) {
  console.log('build: dist/ is up to date (newer than Cargo.toml, Cargo.lock, crates/, src/ and the build scripts); reusing it (--force rebuilds)');
  process.exit(0);
}
console.log(`build: building dist/ (${stale})`);
rmSync(DIST, { recursive: true, force: true });
const sizes = [];
for (const [crate, dir, name] of [
  ['shelfwise', 'wasm', 'shelfwise'],
  ['shelfwise-tools', 'tools', 'shelfwise_tools'],
]) {
  console.log(`build: cargo (${cargo.route}, ${how}) release -p ${crate} for ${WASM_TARGET}`);
  // One target directory: the standard library is built once for both crates.
  run(cargo.cargo, [...release.args, '-p', crate], { env: release.env });
  const wasmIn = join(release.targetDir, WASM_TARGET, 'release', `${name}.wasm`);
  const outDir = join(DIST, dir);
  mkdirSync(outDir, { recursive: true });
  console.log(`build: wasm-bindgen --target web (${dir})`);
  run(wasmBindgen, ['--target', 'web', '--out-dir', outDir, '--out-name', name, wasmIn]);
  const wasmOut = join(outDir, `${name}_bg.wasm`);
  const before = statSync(wasmOut).size;
  console.log(`build: wasm-opt -Oz (${dir})`);
  run(wasmOpt, [...WASM_OPT_FLAGS, wasmOut, '-o', wasmOut]);
  sizes.push(`${dir} ${before} -> ${statSync(wasmOut).size} bytes`);
  // wasm-bindgen types the raw exports' JS values as `any` (the package ships no `any`),
  // and declares `[Symbol.dispose]`, which needs TypeScript's `esnext.disposable` lib:
  // a shop compiling with an ES2022 lib would fail on it, and the face never uses it.
  for (const file of [`${name}.d.ts`, `${name}_bg.wasm.d.ts`]) {
    const path = join(outDir, file);
    const text = readFileSync(path, 'utf8')
      .replace(/\bany\b(?=[;,)\]])/g, 'unknown')
      .replace(/\n[ \t]*\[Symbol\.dispose\]\(\): void;/g, '');
    writeFileSync(path, text);
  }
}
const wasmDir = join(DIST, 'wasm');
const toolsDir = join(DIST, 'tools');

// `shelfwise/sync` inlines the module as a Latin-1 string (one character per byte,
// escaped where JavaScript needs it): smaller gzipped than base64.
const wasmBytes = readFileSync(join(wasmDir, 'shelfwise_bg.wasm'));
let inlined = '';
for (const byte of wasmBytes) {
  inlined += byte < 0x20 || byte === 0x22 || byte === 0x5c || byte === 0x7f ? `\\x${byte.toString(16).padStart(2, '0')}` : String.fromCharCode(byte);
}
writeFileSync(join(wasmDir, 'shelfwise_inline.js'), `export default "${inlined}";\n`);
writeFileSync(join(wasmDir, 'shelfwise_inline.d.ts'), '/** The wasm module, one character per byte. */\ndeclare const inlined: string;\nexport default inlined;\n');

// Declarations keep every doc comment; the JavaScript every shopper downloads does not.
console.log('build: tsc (JS/TS face)');
const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
const tsconfig = join(ROOT, 'src', 'js', 'tsconfig.json');
run(tsc, ['-p', tsconfig, '--emitDeclarationOnly']);
run(tsc, ['-p', tsconfig, '--declaration', 'false', '--removeComments']);

// Plain-ESM shops serve these files as they are, so they ship minified (oxc, through the
// pinned Vite): 2.6 KB gzipped less for every shopper. Exported names are kept.
console.log('build: minify JavaScript (oxc)');
for (const file of [join(DIST, 'index.js'), join(DIST, 'words.js'), join(DIST, 'node.js'), join(DIST, 'tools.js'), join(DIST, 'sealed.js'), join(DIST, 'sync.js'), join(DIST, 'load.js'), join(DIST, 'input.js'), join(DIST, 'rows.js'), join(DIST, 'wire.js'), join(DIST, 'options.js'), join(DIST, 'signals.js'), join(wasmDir, 'shelfwise.js'), join(toolsDir, 'shelfwise_tools.js')]) {
  const result = await minify(file, readFileSync(file, 'utf8'), { module: true, compress: true, mangle: true });
  if (result.errors.length > 0) {
    console.error(`build: minifying ${file} failed:`, result.errors);
    process.exit(1);
  }
  writeFileSync(file, result.code);
}

// Written last, and dated when the build started: an input changed while it ran is newer.
writeFileSync(STAMP, recipe);
utimesSync(STAMP, new Date(started), new Date(started));
console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s; after wasm-opt: ${sizes.join(', ')}`);
