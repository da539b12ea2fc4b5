#!/usr/bin/env bash
# go mod tidy would leave go.mod and go.sum unchanged, in the main and the tools module.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for dir in . hack/tools; do
  if ! diff=$(cd "${dir}" && go mod tidy -diff); then
    echo "${diff}" >&2
    echo "${dir}: go mod tidy would change go.mod or go.sum; run it and commit the result" >&2
    exit 1
  fi
done
