// Where the build tools are and how to call cargo for wasm32. Shared by the npm scripts.
//
// Two routes to the wasm32 standard library (see README, "Toolchain"):
// - rustup's `wasm32-unknown-unknown` target (preferred);
// - Debian's rustc-web + rust-web-src, building std from source (`-Z build-std`).

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const TOOLS_DIR = process.env.SHELFWISE_TOOLS ?? join(homedir(), '.cache', 'shelfwise-tools');
export const DIST = join(ROOT, 'dist');
export const WASM_TARGET = 'wasm32-unknown-unknown';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMEDRIVER = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';

/** Firefox (Debian's ESR) and its WebDriver, geckodriver, built by setup into the tools folder. */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const GECKODRIVER = process.env.GECKODRIVER ?? join(TOOLS_DIR, 'bin', 'geckodriver');
/** The shop side's Python (shop/): setup's venv with DuckDB and pyspark. */
export const SHOP_PYTHON = process.env.SHELFWISE_PYTHON ?? join(TOOLS_DIR, 'venv', 'bin', 'python');
/** WebKitGTK's WebDriver (Debian's webkit2gtk-driver); it drives MiniBrowser under a virtual display. */
export const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER_PATH ?? findMiniBrowser();

/** WebKitGTK's MiniBrowser, in its multiarch folder (`/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/`). */
function findMiniBrowser() {
  try {
    for (const arch of readdirSync('/usr/lib')) {
      const path = join('/usr/lib', arch, 'webkit2gtk-4.1', 'MiniBrowser');
      if (existsSync(path)) return path;
    }
  } catch {
    // No /usr/lib: not a Debian-like system.
  }
  return '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
}

/** Flags a headless Chromium needs as root on a machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The exact wasm-bindgen version pinned in Cargo.toml (the CLI must match it). */
export function wasmBindgenVersion() {
  const manifest = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  const match = manifest.match(/^wasm-bindgen = "=([0-9.]+)"/m);
  if (!match) throw new Error('Cargo.toml must pin wasm-bindgen exactly ("=x.y.z")');
  return match[1];
}

function sysroot(rustc) {
  try {
    return execFileSync(rustc, ['--print', 'sysroot'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/**
 * How to run cargo for wasm32: `{ cargo, env, targetDir, route }`, or null when
 * neither route is installed (run `npm run setup`).
 */
export function wasmCargo() {
  const toolsPath = [join(TOOLS_DIR, 'bin'), process.env.PATH].join(delimiter);
  const rustup = sysroot('rustc');
  if (rustup && existsSync(join(rustup, 'lib', 'rustlib', WASM_TARGET, 'lib'))) {
    return {
      route: 'rustup',
      cargo: 'cargo',
      targetDir: join(ROOT, 'target'),
      env: { ...process.env, PATH: toolsPath },
    };
  }
  const debian = sysroot('/usr/bin/rustc');
  if (hasStdSource(debian)) {
    const targetDir = join(ROOT, 'target', 'debian-build-std');
    const env = {
      ...process.env,
      PATH: [join(TOOLS_DIR, 'bin'), '/usr/bin', process.env.PATH].join(delimiter),
      RUSTC_BOOTSTRAP: '1',
      CARGO_UNSTABLE_BUILD_STD: 'std,panic_abort',
      CARGO_TARGET_DIR: targetDir,
    };
    // existsSync follows the link: a dangling rust-lld (lld-22 missing) reads as absent.
    if (!existsSync('/usr/bin/rust-lld')) {
      env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER = 'wasm-ld';
    }
    return { route: 'debian', cargo: '/usr/bin/cargo', targetDir, env };
  }
  return null;
}

/** Whether the standard library's source is there, so std can be rebuilt for size. */
function hasStdSource(root) {
  return Boolean(root) && existsSync(join(root, 'lib', 'rustlib', 'src', 'rust', 'library'));
}

/**
 * The release build of the shipped wasm. When std's source is available, std is rebuilt
 * with `optimize_for_size` and panics compile to a bare trap (`-Cpanic=immediate-abort`):
 * Shelfwise never panics by design, and the panic formatting machinery would otherwise
 * be a third of the module. This uses unstable cargo/rustc flags on the pinned stable
 * compiler (RUSTC_BOOTSTRAP, as the Debian route does anyway). Without std's source it
 * falls back to a plain release build, which works but misses the size budget.
 */
export function releaseBuild(cargo) {
  const args = ['build', '--lib', '--release', '--target', WASM_TARGET];
  const root = sysroot(cargo.route === 'debian' ? '/usr/bin/rustc' : 'rustc');
  if (!hasStdSource(root)) {
    return { args, env: cargo.env, targetDir: cargo.targetDir, sizeOptimizedStd: false };
  }
  const targetDir = join(cargo.targetDir, 'size-optimized-std');
  const env = {
    ...cargo.env,
    RUSTC_BOOTSTRAP: '1',
    CARGO_TARGET_DIR: targetDir,
    // No panic machinery, no Debug formatting, no panic locations: none of it is ever
    // shown to a shopper, and together it is a tenth of the module.
    // LLVM's inliner off: wasm-opt inlines what pays afterwards (about 0.6 KB gzipped less).
    RUSTFLAGS:
      '-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none -Cllvm-args=--inline-threshold=0',
  };
  delete env.CARGO_UNSTABLE_BUILD_STD;
  args.push('-Z', 'build-std=std,panic_abort', '-Z', 'build-std-features=optimize_for_size');
  return { args, env, targetDir, sizeOptimizedStd: true };
}

/** Runs a command, streaming its output; throws when it fails. */
export function run(command, args, options = {}) {
  execFileSync(command, args, { stdio: 'inherit', cwd: ROOT, ...options });
}

/** wasm-opt's flags for both modules (npm binaryen; never Debian's, which breaks wasm-bindgen output). */
export const WASM_OPT_FLAGS = [
  // Never inline a function just because it has one caller: the wasm-bindgen shims are
  // each one caller, and inlining the core into them made the module 3 KB (gzipped) larger.
  '--one-caller-inline-max-function-size=0',
  '-Oz',
  '--converge',
  // A module-defined memory starts zeroed, so zero bytes need no data segment.
  '--zero-filled-memory',
  // Whole-program type flow, then restructuring the control flow and optimizing again:
  // about 1.2 KB gzipped less.
  '--gufa',
  '--flatten',
  '--rereloop',
  '-Oz',
  '--converge',
  '--strip-producers',
  '--strip-target-features',
  '--enable-bulk-memory',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-mutable-globals',
  '--enable-reference-types',
  '--enable-multivalue',
];
