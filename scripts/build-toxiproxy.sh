#!/usr/bin/env bash
# Builds toxiproxy-server (the TCP fault proxy of the fault-injection suite, test/integration/faults)
# from the pinned Go module in tools/toxiproxy into a cache directory OUTSIDE the repository, keyed
# by sha256(go.sum), like scripts/build-k8s-bins.sh. A second run with the same go.sum reuses the
# cache. Prints the bin dir on the last stdout line.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mod="$here/tools/toxiproxy"
key=$(sha256sum "$mod/go.sum" | cut -c1-12)
OUT=${TOXIPROXY_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kontract/toxiproxy/$key}
if [ -x "$OUT/toxiproxy-server" ]; then
  echo "toxiproxy: cache hit in $OUT" >&2
  echo "$OUT"; exit 0
fi
command -v go >/dev/null || { echo "error: go is required to build toxiproxy" >&2; exit 1; }
mkdir -p "$OUT"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
cd "$mod"
V=$(awk '$1=="github.com/Shopify/toxiproxy/v2"{print $2}' go.mod)
echo "toxiproxy: cache miss; building $V into $OUT" >&2
t0=$(date +%s)
go mod download
go build -ldflags "-s -w -X github.com/Shopify/toxiproxy/v2.Version=$V" -o "$OUT/toxiproxy-server.tmp" github.com/Shopify/toxiproxy/v2/cmd/server
mv "$OUT/toxiproxy-server.tmp" "$OUT/toxiproxy-server"
echo "toxiproxy: built in $(( $(date +%s) - t0 ))s" >&2
echo "$OUT"
