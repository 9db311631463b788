#!/usr/bin/env bash
# Runs the unit suite and a CLI smoke test with the current Node LTS, next to the Node the
# project is developed with. The Node binary comes from scripts/node-binary.sh (the npm
# registry's `node-<os>-<arch>` package, cached outside the repo).
#   NODE_LTS_MAJOR   major line to use (default 24, the Active LTS at the time of writing)
#   NODE_LTS_VERSION exact version; skips the registry lookup (e.g. offline with a warm cache)
# Arguments are passed to vitest (e.g. a test path filter).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE=$(scripts/node-binary.sh "${NODE_LTS_MAJOR:-24}" | tail -n 1)
ver=$("$NODE" --version)
echo "node-lts-smoke: using $("$NODE" --version) ($NODE)" >&2

[ -f dist/cli/main.js ] || npm run build

# the unit suite, with vitest and its workers running on the LTS node
"$NODE" node_modules/vitest/vitest.mjs run --config vitest.config.ts "$@"

# CLI smoke: all must exit 0 (loads every command and @kubernetes/client-node)
"$NODE" bin/kontract.js --help >/dev/null
"$NODE" bin/kontract.js local-clusters --help >/dev/null
# a real command: load, resolve and validate the sample app-interface (YAML, JSON Schema, rules)
"$NODE" bin/kontract.js validate --app-interface app-interface-sample >/dev/null
echo "node-lts-smoke: OK on Node $ver" >&2
