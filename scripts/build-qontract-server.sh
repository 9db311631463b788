#!/usr/bin/env bash
# Builds the real qontract-server (a test component, not part of kontract) from the shared
# upstream source into a cache directory OUTSIDE the repository: the shared copy is read-only, so
# it is copied to ${XDG_CACHE_HOME:-~/.cache}/kontract/qontract-server/<sha256(package-lock.json)>,
# installed with `npm ci` and compiled with `tsc` under Node 24 (qontract-server's engines field;
# the Node binary comes from scripts/node-binary.sh, a cached 24.x is reused). A second run with the same lockfile and
# source reuses the cache. Prints how to run it on stderr and, on the last stdout line, the
# directory holding dist/server.js and the file `node-path` (the Node binary to run it with).
# Run:  LOAD_METHOD=fs DATAFILES_FILE=<bundle.json> <node> <dir>/dist/server.js
#       (listens on port 4000, always: start one instance per test run)
# Source of the shared data: $KONTRACT_SHARED_DIR, else <repo>/../shared, else /work/shared.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

shared=""
for c in "${KONTRACT_SHARED_DIR:-}" "$here/../shared" /work/shared; do
  if [ -n "$c" ] && [ -f "$c/qontract/server/package-lock.json" ]; then shared=$(cd "$c" && pwd); break; fi
done
[ -n "$shared" ] || { echo "build-qontract-server: no qontract/server in \$KONTRACT_SHARED_DIR, $here/../shared or /work/shared" >&2; exit 1; }
src="$shared/qontract/server"

key=$(sha256sum "$src/package-lock.json" | cut -c1-12)
OUT=${QONTRACT_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kontract/qontract-server/$key}
# the compiled output also depends on the TypeScript source and tsconfig
src_sum=$(cd "$src" && find src tsconfig.json package.json -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)

NODE=$(NODE_PREFER_CACHED=1 "$here/scripts/node-binary.sh" 24 | tail -n 1)
node_dir=$(dirname "$NODE")

if [ -f "$OUT/dist/server.js" ] && [ "$(cat "$OUT/.source-sha256" 2>/dev/null)" = "$src_sum" ]; then
  echo "qontract-server: cache hit in $OUT" >&2
else
  t0=$(date +%s)
  echo "qontract-server: building from $src into $OUT" >&2
  mkdir -p "$OUT"
  rm -rf "$OUT/src" "$OUT/dist"
  cp -R "$src/src" "$OUT/src"
  cp "$src/package.json" "$src/package-lock.json" "$src/tsconfig.json" "$src/LICENSE" "$OUT/"
  chmod -R u+w "$OUT"
  cd "$OUT"
  if [ ! -d node_modules ] || [ "$(cat .lock-sha256 2>/dev/null)" != "$key" ]; then
    # Node 24 first on PATH: npm's lifecycle scripts and engine checks see the Node that runs it
    PATH="$node_dir:$PATH" npm ci --no-audit --no-fund --loglevel=error >&2
    echo "$key" > .lock-sha256
  fi
  PATH="$node_dir:$PATH" "$NODE" node_modules/typescript/bin/tsc -p . >&2
  echo "$src_sum" > .source-sha256
  echo "qontract-server: built in $(( $(date +%s) - t0 ))s" >&2
fi
echo "$NODE" > "$OUT/node-path"
echo "qontract-server: run with  LOAD_METHOD=fs DATAFILES_FILE=<bundle.json> $NODE $OUT/dist/server.js  (port 4000)" >&2
echo "$OUT"
