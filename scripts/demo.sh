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

step "local clusters prod-1, prod-2, dev-1 (reused when already running)"
node bin/kontract.js local-clusters up --dir "$dir"
export KUBECONFIG="$dir/kubeconfig"

step "the clusters answer (kubectl ${K8S_BIN_DIR##*/}/kubectl, KUBECONFIG=$KUBECONFIG)"
for ctx in prod-1 prod-2 dev-1; do
  echo "--- $ctx: $("$K8S_BIN_DIR/kubectl" --context "$ctx" version -o json | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).serverVersion.gitVersion))')"
  "$K8S_BIN_DIR/kubectl" --context "$ctx" get namespaces
done
echo "--- the restricted user is denied by RBAC:"
"$K8S_BIN_DIR/kubectl" --context prod-1-alice get namespaces 2>&1 || true

# (the reconcile demo is appended here)

step "done; clusters keep running. Stop them with: node bin/kontract.js local-clusters down --dir $dir"
