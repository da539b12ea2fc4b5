#!/usr/bin/env bash
# go mod tidy would leave go.mod and go.sum unchanged, in the main module, the tools
# module, and the next release's reference (on the Go it needs, which the go command
# fetches).
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for dir in . hack/tools hack/tools/next; do
  toolchain=${GOTOOLCHAIN:-}
  if [[ ${dir} == hack/tools/next ]]; then
    toolchain=go1.27.3
  fi
  if ! diff=$(cd "${dir}" && GOTOOLCHAIN=${toolchain} go mod tidy -diff); then
    echo "${diff}" >&2
    echo "${dir}: go mod tidy would change go.mod or go.sum; run it and commit the result" >&2
    exit 1
  fi
done
