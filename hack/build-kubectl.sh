#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds _output/bin/kubectl: kubectl, at the release of the k8s.io/kubectl module in
# go.mod, whose debug command is this project's package. It builds in a module of its
# own under _output, so the project's module does not depend on all of kubectl's
# commands, from a k8s.io/kubectl tree with the debug package replaced: the patched tree
# hack/kubernetes-patch.sh leaves, or $KD_KUBECTL_TREE. The version is stamped as the
# reference kubectl's (hack/build-server.sh).
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$KD_ROOT"

tree=${KD_KUBECTL_TREE:-}
if [[ -z $tree ]]; then
  "$KD_ROOT/hack/kubernetes-patch.sh"
  tree=$KD_ROOT/_output/kubectl-patch/b/staging/src/k8s.io/kubectl
fi
version=$(go list -m -f '{{.Version}}' k8s.io/kubectl)
build=$KD_ROOT/_output/kubectl-build
rm -rf "$build"
mkdir -p "$build"
cat >"$build/go.mod" <<MOD
module kubectl-debugger.local/kubectl

go 1.26.0

require (
	k8s.io/component-base $version
	k8s.io/kubectl $version
)

replace k8s.io/kubectl => $tree
MOD
# kubectl's main is the reference kubectl's: only the k8s.io/kubectl it builds with differs.
cp hack/tools/kubectl/main.go "$build/main.go"
ldflags="-s -w $KD_KUBE_VERSION_LDFLAGS"
kd::log "building kubectl $KD_KUBE_VERSION with the project's debug command"
(cd "$build" && go mod tidy >/dev/null 2>&1 && go build -ldflags "$ldflags" -o "$KD_ROOT/_output/bin/kubectl" .)
kd::log "built _output/bin/kubectl"
