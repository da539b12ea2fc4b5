#!/usr/bin/env bash
# Builds kube-apiserver, kube-scheduler, kube-controller-manager, etcd, kwok (the fake
# kubelet) and the reference kubectl from Go modules (no images, no prebuilt downloads)
# into the version-keyed cache. A binary already in the cache is kept. The missing ones
# are built by one go build, static as Kubernetes releases them, as the project's own
# tests and binaries are (the Makefile's CGO_ENABLED): one compile of the client
# libraries serves them all, and the two cores stay busy through each link. A cold build
# took 9 minutes on 2 cores, after the unit tests had compiled the client libraries, and
# needs several GB of memory.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

mkdir -p "$KD_BIN"
ldflags="-s -w $KD_KUBE_VERSION_LDFLAGS"

missing=()
for tool in etcd kubectl kube-apiserver kube-scheduler kube-controller-manager kwok; do
  # The benchmark compares against the kubectl users run, which is static: one built
  # otherwise (by an older version of this script) is rebuilt.
  if [[ -x "$KD_BIN/$tool" ]] && { [[ $tool != kubectl ]] || go version -m "$KD_BIN/$tool" | grep -q 'CGO_ENABLED=0\b'; }; then
    continue
  fi
  missing+=("$tool")
done

if ((${#missing[@]} > 0)); then
  kd::log "building ${missing[*]} for Kubernetes $KD_KUBE_VERSION (cold builds take minutes)"
  # A private scratch folder: two clones building at once must not share one, and an
  # interrupted build must not leave a broken binary the check above would keep.
  tmp=$(mktemp -d "$KD_BIN/.build.XXXXXX")
  (cd "$KD_ROOT/hack/tools" && CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$tmp/" "${missing[@]/#/./}")
  for tool in "${missing[@]}"; do
    mv "$tmp/$tool" "$KD_BIN/$tool"
  done
  rmdir "$tmp"
fi
kd::log "binaries ready in $KD_BIN"
