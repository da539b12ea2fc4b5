#!/usr/bin/env bash
# Builds kube-apiserver, kube-scheduler, kube-controller-manager, etcd and the reference
# kubectl from Go modules (no images, no prebuilt downloads) into the version-keyed cache,
# and kwok for a fake kubelet. A binary already in the cache is kept; a cold build takes
# about 10 minutes and 2.5 GB of memory, and the scheduler and the controller-manager add
# about 2 minutes to it once the apiserver's packages are compiled.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

mkdir -p "$KD_BIN"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KD_KUBE_VERSION"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KD_KUBE_VERSION"

for tool in etcd kubectl kube-apiserver kube-scheduler kube-controller-manager; do
  # kubectl is built static, as Kubernetes releases it: the reference the benchmark
  # compares against must be the kubectl users run. One built otherwise is rebuilt.
  cgo=$(go env CGO_ENABLED)
  if [[ $tool == kubectl ]]; then
    cgo=0
  fi
  if [[ -x "$KD_BIN/$tool" ]] && { [[ $tool != kubectl ]] || go version -m "$KD_BIN/$tool" | grep -q 'CGO_ENABLED=0\b'; }; then
    continue
  fi
  kd::log "building $tool $KD_KUBE_VERSION (cold builds take minutes)"
  # A private scratch name: two clones building at once must not share one.
  tmp=$(mktemp "$KD_BIN/.$tool.XXXXXX")
  (cd "$KD_ROOT/hack/tools" && CGO_ENABLED=$cgo go build -ldflags "$ldflags" -o "$tmp" "./$tool")
  mv "$tmp" "$KD_BIN/$tool"
done

if [[ ! -x "$KD_BIN/kwok" ]]; then
  kd::log "building kwok $KD_KWOK_VERSION"
  # Into a scratch folder first: an interrupted install must not leave a broken binary
  # that the check above would take for a finished one.
  gobin=$(mktemp -d)
  GOBIN="$gobin" go install "sigs.k8s.io/kwok/cmd/kwok@$KD_KWOK_VERSION"
  mv "$gobin/kwok" "$KD_BIN/kwok"
  rmdir "$gobin"
fi
kd::log "binaries ready in $KD_BIN"
