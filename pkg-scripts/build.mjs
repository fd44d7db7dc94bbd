// Builds the npm package into dist/: release wasm -> wasm-bindgen (web target) ->
// wasm-opt -Oz (npm binaryen) -> TypeScript face. Two modules, one per boundary crate:
// the shopper's (this package, dist/wasm/) and the shop's tools (crates/tools,
// dist/tools/: bucketing, reports, the estimator; loaded only when a page asks).
// Usage: node pkg-scripts/build.mjs
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
for (const file of [join(DIST, 'index.js'), join(DIST, 'words.js'), join(DIST, 'node.js'), join(DIST, 'tools.js'), join(DIST, 'sync.js'), join(DIST, 'load.js'), join(DIST, 'input.js'), join(DIST, 'rows.js'), join(DIST, 'wire.js'), join(DIST, 'options.js'), join(DIST, 'signals.js'), join(wasmDir, 'shelfwise.js'), join(toolsDir, 'shelfwise_tools.js')]) {
  const result = await minify(file, readFileSync(file, 'utf8'), { module: true, compress: true, mangle: true });
  if (result.errors.length > 0) {
    console.error(`build: minifying ${file} failed:`, result.errors);
    process.exit(1);
  }
  writeFileSync(file, result.code);
}

console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s; after wasm-opt: ${sizes.join(', ')}`);
