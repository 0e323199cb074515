#!/usr/bin/env bash
# Packs the agent as an npm tarball (npm pack), installs that tarball into the
# example Vite 7 app under tests/vite-app and builds it to tests/vite-app/dist.
# Needs a built agent (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/npm
rm -f target/npm/telemetry-agent-*.tgz
tarball=$(npm pack --silent --pack-destination target/npm | tail -1)
echo "packed target/npm/$tarball: $(tar -tzf "target/npm/$tarball" | wc -l) files"
cd tests/vite-app
rm -rf node_modules/telemetry-agent dist
npm install --no-audit --no-fund --no-package-lock --no-save --silent "../../target/npm/$tarball"
node_modules/.bin/vite build --logLevel warn
ls dist/assets
