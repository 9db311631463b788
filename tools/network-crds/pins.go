// Package pins keeps the two upstream API modules whose CRDs scripts/network-crds.sh installs
// in this module's build list (go mod tidy would drop them otherwise). Nothing is built from it.
package pins

import (
	_ "github.com/k8snetworkplumbingwg/network-attachment-definition-client/pkg/apis/k8s.cni.cncf.io/v1"
	_ "github.com/ovn-org/ovn-kubernetes/go-controller/pkg/crd/userdefinednetwork/v1"
)
