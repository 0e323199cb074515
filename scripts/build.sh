#!/usr/bin/env bash
# Builds the agent into www/pkg and prints the shipped files' sizes.
# Steps: cargo (wasm32, release) -> wasm-bindgen --target web -> wasm-opt -Oz (npm binaryen).
set -euo pipefail
cd "$(dirname "$0")/.."

# The build machine's paths stay out of the shipped module (panic locations
# name source files): the toolchain, the registry and this checkout are remapped
# (the last matching prefix wins, so the longest comes last).
# A crate's sources are named from the registry index's own folder on: its
# name (index.crates.io-<hash>) says nothing and costs ~50 bytes per location.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
remaps="--remap-path-prefix=$(rustc --print sysroot)=/rust --remap-path-prefix=$(rustc --print sysroot)/lib/rustlib/src/rust/library=/std --remap-path-prefix=$cargo_home=/cargo"
for index in "$cargo_home"/registry/src/*/; do
  [[ -d "$index" ]] && remaps+=" --remap-path-prefix=${index%/}=/crates"
done
# The standard library is compiled with the agent (-Zbuild-std, from the
# toolchain's rust-src), so that a panic is only a trap: no message, no
# location, no formatting machinery behind it (-Cpanic=immediate-abort), no
# source locations are kept (-Zlocation-detail=none), and `{:?}` formats
# nothing (-Zfmt-debug=none; no Debug text is shipped). All three are
# unstable flags, which RUSTC_BOOTSTRAP=1 allows on this stable toolchain:
# -7 KB gzip. A trap surfaces in the page as a WebAssembly.RuntimeError, which
# www/agent.js turns into the agent disabling itself. The build has its own
# target folder, so that the tests' builds (other flags) keep their caches.
RUSTC_BOOTSTRAP=1 \
RUSTFLAGS="${RUSTFLAGS:-} $remaps --remap-path-prefix=$PWD=/agent -Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none" \
  cargo build --release --target wasm32-unknown-unknown -p telemetry-agent --lib \
  -Zbuild-std=std,panic_abort --target-dir target/ship
rm -rf www/pkg
wasm-bindgen --target web --no-typescript --out-dir www/pkg --out-name agent_wasm \
  target/ship/wasm32-unknown-unknown/release/telemetry_agent.wasm
# The functions that run once per page, per error or per batch stay functions,
# not copied into their callers (-2.5 KB gzip; scripts/cold-functions.mjs says
# which and why).
node scripts/cold-functions.mjs www/pkg/agent_wasm_bg.wasm
# Never Debian's wasm-opt: it breaks wasm-bindgen's externref table.
# --low-memory-unused (-1 KB gzip): addresses below 1 KiB are never used, since
# rustc lays the 1 MiB stack out first, growing down to 0, and the data above it.
node_modules/.bin/wasm-opt -g --no-inline --pass-arg='no-inline@cold~*' -Oz --converge --low-memory-unused \
  www/pkg/agent_wasm_bg.wasm -o www/pkg/agent_wasm_bg.wasm
# The functions in an order gzip compresses better (-3.3 KB gzip; the script
# says how); this step also strips the names, producers and target features.
node scripts/order-functions.mjs www/pkg/agent_wasm_bg.wasm www/pkg/agent_wasm_bg.wasm
# The imports' names without wasm-bindgen's hashes, in the module and the glue.
node scripts/short-imports.mjs www/pkg/agent_wasm_bg.wasm www/pkg/agent_wasm.js
# The demo's consent banner (vanilla-cookieconsent, an npm devDependency).
mkdir -p www/vendor
cp node_modules/vanilla-cookieconsent/dist/cookieconsent.umd.js node_modules/vanilla-cookieconsent/dist/cookieconsent.css www/vendor/
# What the script tag loads: one minified module beside the wasm.
node scripts/bundle.mjs
node scripts/integrity.mjs
node scripts/size-report.mjs
