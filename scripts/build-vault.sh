#!/usr/bin/env bash
# Builds vault-dev (tools/vault/main.go: Vault's own server code in dev mode — core, HTTP API,
# in-memory storage, KV v1/v2, AppRole — see its comment) from the pinned Go module in tools/vault
# into a cache directory OUTSIDE the repository, keyed by sha256 of go.mod, go.sum, main.go and the
# Go version, like scripts/build-k8s-bins.sh. A second run with the same inputs reuses the binary.
# The Go build cache is kept in $VAULT_GOCACHE (default ~/.cache/kontract/vault/gocache).
# Prints the bin dir on the last stdout line.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mod="$here/tools/vault"
command -v go >/dev/null || { echo "error: go is required to build the Vault dev server" >&2; exit 1; }
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
key=$( { cat "$mod/go.mod" "$mod/go.sum" "$mod/main.go"; go env GOVERSION; } | sha256sum | cut -c1-12)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kontract/vault
OUT=${VAULT_BIN_DIR:-$cache/$key}
if [ -x "$OUT/vault-dev" ]; then
  echo "vault-dev: cache hit in $OUT" >&2
  echo "$OUT"; exit 0
fi
export GOCACHE=${VAULT_GOCACHE:-$cache/gocache}
mkdir -p "$OUT" "$GOCACHE"
V=$(awk '$1=="github.com/hashicorp/vault"{print $2}' "$mod/go.mod")
cd "$mod"
echo "vault-dev: cache miss; building Vault $V into $OUT (Go build cache $GOCACHE)" >&2
t0=$(date +%s)
go mod download
# keep printing while the compiler works, so CI never looks stuck
( while sleep 60; do echo "vault-dev: still building ($(( $(date +%s) - t0 ))s)" >&2; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
go build -ldflags "-s -w" -o "$OUT/vault-dev.tmp" .
mv "$OUT/vault-dev.tmp" "$OUT/vault-dev"
echo "vault-dev: built in $(( $(date +%s) - t0 ))s" >&2
echo "$OUT"
