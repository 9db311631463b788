#!/usr/bin/env bash
# kontract demo. Idempotent: reuses the running local clusters recorded in the state directory
# (state.json), or restarts them cleanly. Stop them with `node bin/kontract.js local-clusters down`.
#   KONTRACT_DEMO_DIR  state directory (default: ${XDG_STATE_HOME:-~/.local/state}/kontract/local-clusters)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${KONTRACT_DEMO_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/kontract/local-clusters}
step() { printf '\n==> %s\n' "$*" >&2; }

step "build"
npm run build --silent

step "Kubernetes binaries"
K8S_BIN_DIR=$(scripts/build-k8s-bins.sh | tail -n 1)
export K8S_BIN_DIR

step "upstream network CRDs: NetworkAttachmentDefinition, UserDefinedNetwork (from the Go modules in tools/network-crds)"
NETWORK_CRDS_DIR=$(scripts/network-crds.sh | tail -n 1)

step "local clusters prod-1, prod-2, dev-1 (reused when already running)"
node bin/kontract.js local-clusters up --dir "$dir" --crds deploy/crds/kubevirt deploy/crds/hedgehog "$NETWORK_CRDS_DIR"
export KUBECONFIG="$dir/kubeconfig"

step "the clusters answer (kubectl ${K8S_BIN_DIR##*/}/kubectl, KUBECONFIG=$KUBECONFIG)"
for ctx in prod-1 prod-2 dev-1; do
  echo "--- $ctx: $("$K8S_BIN_DIR/kubectl" --context "$ctx" version -o json | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).serverVersion.gitVersion))')"
  "$K8S_BIN_DIR/kubectl" --context "$ctx" get namespaces
done
echo "--- the restricted user is denied by RBAC:"
"$K8S_BIN_DIR/kubectl" --context prod-1-alice get namespaces 2>&1 || true

step "validate the sample app-interface (no cluster contacted)"
node bin/kontract.js validate --app-interface app-interface-sample

k() { node bin/kontract.js "$@" --app-interface app-interface-sample --kubeconfig "$KUBECONFIG"; }
# The resources integration's vault-secret reads the sample's demo secrets file (settings: vault: false).
SECRETS=(--secrets-config app-interface-sample/secrets/config.toml)

step "1/3 dry-run: the plan for every integration across prod-1, prod-2, dev-1"
# --detailed-exitcode: 0 = nothing to do, 2 = changes pending, 1 = error
set +e; k run --all "${SECRETS[@]}" --dry-run --detailed-exitcode; rc=$?; set -e
echo "dry-run exit code: $rc (2 = changes pending)" >&2
[ "$rc" = 0 ] || [ "$rc" = 2 ] || exit "$rc"

step "2/3 wet run: apply with server-side apply (field manager kontract), metrics to a textfile"
k run --all "${SECRETS[@]}" --output markdown --metrics-file "$dir/kontract.prom" | tail -n 25
grep -E '^kontract_(actions_total|last_success)' "$dir/kontract.prom" | head -n 12 || true

step "3/3 dry-run again: no changes, exit code 0"
k run --all "${SECRETS[@]}" --dry-run --detailed-exitcode

step "read-only views: workload inventory and fabric drift status"
k inventory --cluster prod-1
echo "--- the same inventory, VM side only, as CSV (docs/inventory-json.md has the JSON form):" >&2
k inventory --workloads vms --output csv
k fabric-status

step "done; clusters keep running. Stop them with: node bin/kontract.js local-clusters down --dir $dir"
