#!/usr/bin/env bash
# Installs whatever building and testing Shelfwise needs and is missing; quick when
# everything is there. Usage: pkg-scripts/setup.sh [--for start|test]  (default: test)
#
# - Rust with rustfmt and clippy (must already be there: rustup.rs)
# - the wasm32 standard library: rustup's target, else Debian's rustc-web + build-std;
#   std's source (rust-src) for the size-optimized release build
# - wasm-bindgen CLI at exactly the crate's pinned version, in $SHELFWISE_TOOLS
# - npm dev dependencies (binaryen's wasm-opt, TypeScript, Playwright, Vite, webpack)
# - for tests: Chromium and ChromeDriver, Firefox ESR, WebKitGTK's WebDriver with
#   MiniBrowser and Xvfb (Debian packages); geckodriver at a pinned version, in $SHELFWISE_TOOLS
# - the shop side (shop/): a Python venv in $SHELFWISE_TOOLS/venv with shop/requirements.txt
#   (DuckDB, pyspark), and a Java 17 runtime for Spark (Debian's openjdk-17-jre-headless)
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=test
if [[ "${1:-}" == "--for" ]]; then purpose="${2:-test}"; fi
TOOLS="${SHELFWISE_TOOLS:-$HOME/.cache/shelfwise-tools}"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

say() { echo "setup: $*"; }
die() { echo "setup: $*" >&2; exit 1; }

apt_ready=""
apt_install() {
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    die "missing: $*. Install them with your package manager (Debian/Ubuntu: sudo apt-get install -y $*) and run again."
  fi
  if [[ -z "$apt_ready" ]]; then
    say "apt-get update"
    apt-get update -qq
    apt_ready=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Rust itself.
command -v cargo >/dev/null && command -v rustc >/dev/null \
  || die "Rust is missing: install it with rustup (https://rustup.rs), then run again."
for component in rustfmt clippy; do
  sub=$([[ $component == rustfmt ]] && echo fmt || echo clippy)
  if ! cargo "$sub" --version >/dev/null 2>&1; then
    command -v rustup >/dev/null || die "cargo $sub is missing: install the $component component."
    say "rustup component add $component"
    rustup component add "$component"
  fi
done

# The wasm32 standard library.
wasm_std() { [[ -d "$("$1" --print sysroot 2>/dev/null)/lib/rustlib/wasm32-unknown-unknown/lib" ]]; }
debian_std() { [[ -x /usr/bin/rustc && -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library" ]]; }
if ! wasm_std rustc && ! debian_std; then
  if command -v rustup >/dev/null; then
    say "rustup target add wasm32-unknown-unknown (up to 3 minutes)"
    timeout 180 rustup target add wasm32-unknown-unknown || say "rustup could not fetch the target"
  fi
  if ! wasm_std rustc; then
    say "falling back to Debian's rustc-web with build-std"
    apt_install rustc-web cargo-web rust-web-src lld-22
    debian_std || die "no wasm32 standard library: run 'rustup target add wasm32-unknown-unknown'."
  fi
fi

# std's source, so the release build can rebuild std for size (pkg-scripts/toolchain.mjs).
# The Debian route's rust-web-src already provides it.
if wasm_std rustc && [[ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]]; then
  if command -v rustup >/dev/null; then
    say "rustup component add rust-src"
    timeout 180 rustup component add rust-src \
      || say "warning: no rust-src; the wasm will be built with the prebuilt std and miss the size budget"
  fi
fi

# wasm-bindgen CLI at the crate's exact version.
wb_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
[[ -n "$wb_version" ]] || die "Cargo.toml must pin wasm-bindgen exactly"
if [[ "$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]]; then
  say "cargo install wasm-bindgen-cli $wb_version into $TOOLS (about 3 minutes, once)"
  # No --locked: one of its locked dependency versions is gone from the registry.
  cargo install -q wasm-bindgen-cli --version "$wb_version" --root "$TOOLS" --force \
    || die "could not install wasm-bindgen-cli $wb_version"
fi

# For tests: nightly Rust and the pinned cargo-fuzz, for the fuzzing smoke
# (pkg-scripts/fuzz.sh). Without them the smoke is reported failed, and nothing else.
CARGO_FUZZ_VERSION=0.13.2
if [[ "$purpose" == test ]]; then
  if ! cargo +nightly --version >/dev/null 2>&1 && command -v rustup >/dev/null; then
    say "rustup toolchain install nightly (minimal)"
    timeout 300 rustup toolchain install nightly --profile minimal \
      || say "warning: no nightly Rust; the fuzzing smoke will fail"
  fi
  if [[ "$("$TOOLS/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    say "cargo install cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS (about a minute, once)"
    cargo install -q cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$TOOLS" --force \
      || say "warning: could not install cargo-fuzz; the fuzzing smoke will fail"
  fi
fi

# npm dev dependencies, pinned by package-lock.json.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

# The browsers for the tests (never downloaded by a test tool: Debian's packages):
# Chromium and ChromeDriver; Firefox ESR; WebKitGTK's WebDriver, which drives its
# MiniBrowser, under Xvfb (a virtual display: MiniBrowser has no headless mode).
GECKODRIVER_VERSION=0.37.1
if [[ "$purpose" == test ]]; then
  if [[ ! -x "$CHROMIUM" || ! -x "$CHROMEDRIVER" ]] \
    && [[ "$CHROMIUM" != /usr/bin/chromium || "$CHROMEDRIVER" != /usr/bin/chromedriver ]]; then
    die "CHROMIUM_PATH=$CHROMIUM or CHROMEDRIVER=$CHROMEDRIVER does not exist"
  fi
  packages=()
  [[ -x "$CHROMIUM" ]] || packages+=(chromium)
  [[ -x "$CHROMEDRIVER" ]] || packages+=(chromium-driver)
  [[ -x "${FIREFOX_PATH:-/usr/bin/firefox-esr}" ]] || packages+=(firefox-esr)
  if [[ ! -x /usr/bin/WebKitWebDriver ]] || ! compgen -G '/usr/lib/*/webkit2gtk-4.1/MiniBrowser' >/dev/null; then
    packages+=(webkit2gtk-driver)
  fi
  command -v xvfb-run >/dev/null || packages+=(xvfb)
  command -v xauth >/dev/null || packages+=(xauth) # xvfb-run needs it; only recommended by xvfb
  if (( ${#packages[@]} )); then apt_install "${packages[@]}"; fi
  # geckodriver (Firefox's WebDriver) is published on crates.io: built once into the tools folder.
  if [[ "$("$TOOLS/bin/geckodriver" --version 2>/dev/null | head -n 1)" != "geckodriver $GECKODRIVER_VERSION"* ]]; then
    say "cargo install geckodriver $GECKODRIVER_VERSION into $TOOLS (about 3 minutes, once)"
    cargo install -q geckodriver --version "$GECKODRIVER_VERSION" --locked --root "$TOOLS" --force \
      || cargo install -q geckodriver --version "$GECKODRIVER_VERSION" --root "$TOOLS" --force \
      || say "warning: could not install geckodriver $GECKODRIVER_VERSION; the Firefox suites will fail"
  fi
fi

# The shop side (shop/): DuckDB and pyspark in a venv, reinstalled when
# shop/requirements.txt changes (its hash is stamped in the venv), and Java for Spark.
command -v python3 >/dev/null || die "python3 is missing: install Python 3.9 or later, then run again."
VENV="$TOOLS/venv"
requirements_hash=$(sha256sum shop/requirements.txt | cut -d ' ' -f 1)
if [[ "$(cat "$VENV/.requirements-sha256" 2>/dev/null)" != "$requirements_hash" ]]; then
  if [[ ! -x "$VENV/bin/python" ]]; then
    # Debian splits venv support (ensurepip) into python3-venv.
    python3 -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; apt_install python3-venv; python3 -m venv "$VENV"; }
  fi
  say "pip install -r shop/requirements.txt into $VENV (about 30 s, once)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r shop/requirements.txt \
    || die "could not install shop/requirements.txt"
  echo "$requirements_hash" > "$VENV/.requirements-sha256"
fi
command -v java >/dev/null || apt_install openjdk-17-jre-headless

say "ready (wasm-bindgen $wb_version, $(node --version), purpose: $purpose)"
