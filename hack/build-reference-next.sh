#!/usr/bin/env bash
# Builds upstream kubectl of the next Kubernetes release (hack/tools/next) into the cache,
# as $KD_CACHE/$KD_NEXT_VERSION/kubectl: the reference for what that release changes in
# kubectl debug, such as Windows node debugging in 1.38. It needs Go 1.27, which the go
# command takes from the module proxy (GOTOOLCHAIN); make test does not use it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

export GOTOOLCHAIN=go1.27.3
bin="$KD_NEXT_BIN/kubectl"
if [[ -x "$bin" ]]; then
  kd::log "reference kubectl $KD_NEXT_VERSION ready: $bin"
  exit 0
fi
mkdir -p "$KD_NEXT_BIN"
module_version=$(cd "$KD_ROOT/hack/tools/next" && go list -m -f '{{.Version}}' k8s.io/kubectl)
kube_version=${module_version/#v0./v1.}
if [[ "$kube_version" != "$KD_NEXT_VERSION" ]]; then
  echo "hack/tools/next builds kubectl $kube_version, but KD_NEXT_VERSION is $KD_NEXT_VERSION" >&2
  exit 1
fi
minor=$(cut -d. -f2 <<<"$kube_version")
ldflags="-s -w -X k8s.io/client-go/pkg/version.gitVersion=$kube_version"
ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
ldflags+=" -X k8s.io/component-base/version.gitVersion=$kube_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
kd::log "building reference kubectl $kube_version with $GOTOOLCHAIN"
tmp=$(mktemp "$KD_NEXT_BIN/.kubectl.XXXXXX")
(cd "$KD_ROOT/hack/tools/next" && go build -ldflags "$ldflags" -o "$tmp" ./kubectl)
mv "$tmp" "$bin"
kd::log "reference kubectl $KD_NEXT_VERSION ready: $bin"
