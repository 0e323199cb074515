#!/usr/bin/env bash
# Installs what the build and the tests need, skipping whatever is already there.
# usage: scripts/setup.sh [--browser]   (--browser: also Chromium + ChromeDriver for the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if [[ "${1:-}" == "--browser" ]]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The shipped build compiles the standard library itself (scripts/build.sh),
# from the toolchain's own sources.
if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]]; then
  say "adding the rust-src component (the standard library's sources)"
  rustup component add rust-src
fi

# The wasm-bindgen CLI must be exactly the version the crate is locked to.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" != "$want" ]]; then
  say "installing wasm-bindgen-cli $want (a few minutes, once)"
  # No --locked: the CLI's own lock file pins crates that some registry mirrors lack.
  cargo install wasm-bindgen-cli --version "$want"
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dev tools (wasm-opt from binaryen, playwright-core, ajv)"
  npm ci --no-audit --no-fund
fi
