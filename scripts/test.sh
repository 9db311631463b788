#!/usr/bin/env bash
# The project's full test command (`npm test`; CI runs `npm ci && npm test`, see .ci/run):
# build, typecheck, lint, the architecture rules (dependency-cruiser), unit tests, the Kubernetes
# binaries, toxiproxy, a Vault dev server and the upstream network CRDs (built once, then cached outside the repo), the Pushgateway, the real
# qontract-server and qontract-validator (test components, cached outside the repo), the
# integration suite against local clusters (with the fault-injection suite), and a smoke run on
# the current Node LTS. Works on a fresh clone after `npm ci` (a cold binary build needs Go >= 1.25.3 (tools/vault)
# and the Go module proxy; see docs/local-control-plane.md).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }
t0=$(date +%s)

step "build";       npm run build
step "typecheck";   npm run typecheck
step "lint";        npm run lint
step "architecture rules (dependency-cruiser, .dependency-cruiser.cjs)"; npm run depcheck
step "unit tests";  npm run test:unit

step "Kubernetes binaries (scripts/build-k8s-bins.sh; cached after the first build)"
K8S_BIN_DIR=$(scripts/build-k8s-bins.sh | tail -n 1)
export K8S_BIN_DIR
echo "binaries in $K8S_BIN_DIR" >&2

step "toxiproxy for the fault-injection suite (scripts/build-toxiproxy.sh; cached after the first build)"
TOXIPROXY_BIN_DIR=$(scripts/build-toxiproxy.sh | tail -n 1)
export TOXIPROXY_BIN_DIR

step "Vault dev server for the Vault secret reader tests (scripts/build-vault.sh; from the Go modules in tools/vault, cached after the first build)"
VAULT_BIN_DIR=$(scripts/build-vault.sh | tail -n 1)
export VAULT_BIN_DIR

step "network CRDs: NetworkAttachmentDefinition, UserDefinedNetwork (scripts/network-crds.sh; from the Go modules in tools/network-crds, cached)"
NETWORK_CRDS_DIR=$(scripts/network-crds.sh | tail -n 1)
export NETWORK_CRDS_DIR

if [ -f scripts/install-pushgateway.sh ]; then
  step "Prometheus Pushgateway (scripts/install-pushgateway.sh)"
  bash scripts/install-pushgateway.sh
fi

step "qontract-server (scripts/build-qontract-server.sh; Node 24, cached after the first build)"
scripts/build-qontract-server.sh >/dev/null

step "qontract-validator (scripts/qontract-validator.sh; PyPI, cached after the first install)"
scripts/qontract-validator.sh --help >/dev/null

step "integration tests (local clusters prod-1, prod-2, dev-1; the fault-injection suite starts its own)"
npm run test:integration

step "Node LTS smoke (scripts/node-lts-smoke.sh)"
scripts/node-lts-smoke.sh

step "all tests passed in $(( $(date +%s) - t0 ))s"
