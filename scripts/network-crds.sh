#!/usr/bin/env bash
# Writes the upstream network CRDs the `networks` integration manages into a cache directory
# OUTSIDE the repository, keyed by sha256(tools/network-crds/go.sum), from the Go modules pinned in
# tools/network-crds (downloaded through the Go module proxy):
#   - NetworkAttachmentDefinition (k8s.cni.cncf.io/v1, Multus): the CRD manifest the module
#     github.com/k8snetworkplumbingwg/network-attachment-definition-client ships (artifacts/networks-crd.yaml);
#   - UserDefinedNetwork (k8s.ovn.org/v1, OVN-Kubernetes): generated with controller-gen (pinned in
#     the same go.mod) from the API types of github.com/ovn-org/ovn-kubernetes/go-controller, the
#     way upstream generates its CRD manifests (that module carries the types, not the YAML).
# A second run with the same go.sum reuses the cache. Prints the CRD dir on the last stdout line.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mod="$here/tools/network-crds"
key=$(sha256sum "$mod/go.sum" | cut -c1-12)
OUT=${NETWORK_CRDS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kontract/network-crds/$key}
NAD=k8s.cni.cncf.io_network-attachment-definitions.yaml
UDN=k8s.ovn.org_userdefinednetworks.yaml
if [ -s "$OUT/$NAD" ] && [ -s "$OUT/$UDN" ]; then
  echo "network CRDs: cache hit in $OUT" >&2
  echo "$OUT"; exit 0
fi
command -v go >/dev/null || { echo "error: go is required to obtain the network CRDs" >&2; exit 1; }
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
# The checksum database has no entry for the pinned go-controller pseudo-version; its hash is
# pinned in go.sum instead (recorded when the pin was made), which the go command checks.
export GONOSUMDB=github.com/ovn-org/ovn-kubernetes
cd "$mod"
echo "network CRDs: cache miss; writing them into $OUT" >&2
t0=$(date +%s)
go mod download github.com/k8snetworkplumbingwg/network-attachment-definition-client github.com/ovn-org/ovn-kubernetes/go-controller
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nad_dir=$(go list -m -f '{{.Dir}}' github.com/k8snetworkplumbingwg/network-attachment-definition-client)
cp "$nad_dir/artifacts/networks-crd.yaml" "$tmp/$NAD"
echo "network CRDs: generating the UserDefinedNetwork CRD with controller-gen (cold: its modules are downloaded and it is built first)" >&2
go tool controller-gen crd paths=github.com/ovn-org/ovn-kubernetes/go-controller/pkg/crd/userdefinednetwork/v1 "output:crd:dir=$tmp/gen"
cp "$tmp/gen/$UDN" "$tmp/$UDN"
mkdir -p "$OUT"
chmod u+w "$tmp/$NAD" "$tmp/$UDN"
mv "$tmp/$NAD" "$tmp/$UDN" "$OUT/"
echo "network CRDs: done in $(( $(date +%s) - t0 ))s" >&2
echo "$OUT"
