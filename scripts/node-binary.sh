#!/usr/bin/env bash
# Prints the path of a Node binary of the given major line (default 24) on the last stdout line,
# fetching it once from the npm registry's `node-<os>-<arch>` package (the platform package behind
# the `node` package; `npm pack` verifies its integrity) into
# ${XDG_CACHE_HOME:-~/.cache}/kontract/node-<version>, outside the repository.
#   $1 / NODE_LTS_MAJOR  major line (default 24)
#   NODE_LTS_VERSION     exact version; skips the registry lookup (e.g. offline with a warm cache)
#   NODE_PREFER_CACHED=1 use the newest cached $major.x without asking the registry (when there is one)
# Used by scripts/node-lts-smoke.sh and scripts/build-qontract-server.sh.
set -euo pipefail

major=${1:-${NODE_LTS_MAJOR:-24}}
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "node-binary: unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "node-binary: unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
pkg="node-$os-$arch"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/kontract"

ver=${NODE_LTS_VERSION:-}
if [ -z "$ver" ] && [ "${NODE_PREFER_CACHED:-0}" = 1 ]; then
  ver=$(ls -d "$cache_root/node-$major".* 2>/dev/null | sed 's|.*/node-||' | sort -V | tail -n 1)
fi
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
[ -n "$ver" ] || { echo "node-binary: cannot resolve a Node $major version (registry unreachable and nothing cached)" >&2; exit 1; }

dir="$cache_root/node-$ver"
if [ ! -x "$dir/bin/node" ]; then
  echo "node-binary: fetching $pkg@$ver from the npm registry into $dir" >&2
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$cache_root"
  rm -rf "$dir.partial"; mv "$tmp/package" "$dir.partial"; mv "$dir.partial" "$dir"
fi
echo "$dir/bin/node"
