#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The krew manifest (hack/krew/debugger.yaml, written by make krew-manifest) passes
# krew's own validation: validate-krew-manifest from sigs.k8s.io/krew, pinned, built
# into the cache on first use. Archives are not downloaded (-skip-install).
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$KD_ROOT"

KD_KREW_VERSION=${KD_KREW_VERSION:-v0.4.3}
validator=$KD_CACHE/tools/validate-krew-manifest-$KD_KREW_VERSION
if [[ ! -x $validator ]]; then
  mkdir -p "$KD_CACHE/tools"
  gobin=$(mktemp -d)
  GOBIN=$gobin go install "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KD_KREW_VERSION"
  mv "$gobin/validate-krew-manifest" "$validator"
  rmdir "$gobin"
fi
"$validator" -manifest hack/krew/debugger.yaml -skip-install
