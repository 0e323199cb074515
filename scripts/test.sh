#!/usr/bin/env bash
# Installs what is missing, then runs every test: the core and the collector
# on the host, the browser shell in headless Chromium, and the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "setup"
scripts/setup.sh --browser

step "core and collector (cargo test)"
cargo test --workspace

step "TypeScript definitions (tsc --noEmit on a usage example)"
node_modules/.bin/tsc --noEmit -p tests/types

step "build the agent"
scripts/build.sh
cargo build --release -p collector

step "size budget (what a page downloads, gzip -9, against size-budget.json)"
node scripts/size-report.mjs --check

step "npm package in a Vite 7 app (npm pack, install the tarball, vite build)"
scripts/vite-app.sh

step "browser shell in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120} \
  cargo test -p telemetry-agent --target wasm32-unknown-unknown --test web

step "end-to-end (playwright-core + Chromium against the collector)"
node --test --test-concurrency=1 tests/e2e/

step "benchmarks (figures only, no timing assertions)"
cargo run --release --example mask_bench

step "all tests passed"
