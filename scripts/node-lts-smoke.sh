#!/usr/bin/env bash
# Runs the unit suite and a CLI smoke test with the current Node LTS, next to the Node the
# project is developed with. The Node binary comes from the npm registry's `node-<os>-<arch>`
# package (the platform package behind the `node` package; `npm pack` verifies its integrity)
# and is cached outside the repo in ${XDG_CACHE_HOME:-~/.cache}/kontract/node-<version>.
#   NODE_LTS_MAJOR   major line to use (default 24, the Active LTS at the time of writing)
#   NODE_LTS_VERSION exact version; skips the registry lookup (e.g. offline with a warm cache)
# Arguments are passed to vitest (e.g. a test path filter).
set -euo pipefail
cd "$(dirname "$0")/.."

major=${NODE_LTS_MAJOR:-24}
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "node-lts-smoke: unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "node-lts-smoke: unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
pkg="node-$os-$arch"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/kontract"

ver=${NODE_LTS_VERSION:-}
if [ -z "$ver" ]; then
  # newest published $major.x; falls back to the newest cached one when the registry is unreachable
  if json=$(npm view "$pkg@$major" version --json 2>/dev/null); then
    ver=$(printf '%s' "$json" | node -e '
      let s = ""; process.stdin.on("data", (c) => { s += c; }).on("end", () => {
        const v = [].concat(JSON.parse(s));
        const key = (x) => x.split(".").map(Number);
        v.sort((a, b) => { const [p, q] = [key(a), key(b)]; return p[0] - q[0] || p[1] - q[1] || p[2] - q[2]; });
        console.log(v[v.length - 1]);
      });')
  else
    ver=$(ls -d "$cache_root/node-$major".* 2>/dev/null | sed 's|.*/node-||' | sort -V | tail -n 1)
  fi
fi
[ -n "$ver" ] || { echo "node-lts-smoke: cannot resolve a Node $major version (registry unreachable and nothing cached)" >&2; exit 1; }

dir="$cache_root/node-$ver"
if [ ! -x "$dir/bin/node" ]; then
  echo "node-lts-smoke: fetching $pkg@$ver from the npm registry into $dir" >&2
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$cache_root"
  rm -rf "$dir.partial"; mv "$tmp/package" "$dir.partial"; mv "$dir.partial" "$dir"
fi
NODE="$dir/bin/node"
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
