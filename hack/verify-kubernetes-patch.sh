#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Applies _output/kubernetes-debug.patch (hack/kubernetes-patch.sh writes it) to the
# k8s.io/kubectl module source, the same files as kubernetes' staging directory, then in
# that tree: go build ./..., go vet ./pkg/cmd/..., go test ./pkg/cmd/debug/..., and
# builds kubectl from it (make kubectl).
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$KD_ROOT"

"$KD_ROOT/hack/kubernetes-patch.sh"
module=k8s.io/kubectl
src=$(go list -m -f '{{.Dir}}' "$module")
tree=$KD_ROOT/_output/kubectl-verify
rm -rf "$tree"
mkdir -p "$tree/staging/src/$module"
cp -r "$src/." "$tree/staging/src/$module/"
chmod -R u+w "$tree"
# The tree is below the project's checkout: git must not take it for part of that
# repository, or it would skip every path of the patch.
(cd "$tree" && GIT_CEILING_DIRECTORIES=$(dirname "$tree") git apply -p1 --verbose "$KD_ROOT/_output/kubernetes-debug.patch" 2>&1 | grep -c '^Applied patch' |
  xargs -I{} echo "+++ applied {} files")
kd::log "applied the patch to $module $(go list -m -f '{{.Version}}' "$module")"

cd "$tree/staging/src/$module"
# The module as released, with its own go.mod: nothing the patch adds may need more.
export GOFLAGS="-mod=mod ${GOFLAGS:-}"
kd::log "go build ./..."
go build ./...
kd::log "go vet ./pkg/cmd/..."
go vet ./pkg/cmd/...
kd::log "go test ./pkg/cmd/debug/..."
go test -count=1 ./pkg/cmd/debug/...
# The modules required, whether direct or indirect: the build may mark two the debug
# package now imports as direct (kubernetes' update-vendor would), but add none.
requirements() { sed -n -E 's#^\s+([^ ]+ v[^ ]+).*#\1#p' "$1" | sort; }
if ! diff <(requirements "$src/go.mod") <(requirements go.mod); then
  kd::log "the patched tree requires modules k8s.io/kubectl does not"
  exit 1
fi

cd "$KD_ROOT"
KD_KUBECTL_TREE=$tree/staging/src/$module "$KD_ROOT/hack/build-kubectl.sh"
