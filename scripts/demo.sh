#!/usr/bin/env bash
# Installs what is missing, builds the agent and serves the demo from the
# collector: open http://127.0.0.1:${PORT:-8080}/ . Extra flags go to the collector.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec cargo run --release -p collector -- --port "${PORT:-8080}" "$@"
