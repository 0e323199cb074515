#!/usr/bin/env bash
# The side-by-side benchmark (figures only; never part of the test command):
# installs the peers into bench/ (devDependencies there), builds the agent,
# and runs bench/run.mjs, which prints the table and writes bench/results.json.
# usage: scripts/bench.sh [--runs 5] [--only agent,sentry]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
scripts/build.sh >/dev/null
if [[ ! -d bench/node_modules || bench/package-lock.json -nt bench/node_modules/.package-lock.json ]]; then
  (cd bench && npm ci --no-audit --no-fund)
fi
exec node bench/run.mjs "$@"
