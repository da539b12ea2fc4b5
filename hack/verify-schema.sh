#!/usr/bin/env bash
# docs/custom-profile.schema.json is what hack/schema generates from the Go types.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp)
trap 'rm -f "${tmp}"' EXIT
go run ./hack/schema >"${tmp}"
if ! diff -u docs/custom-profile.schema.json "${tmp}"; then
  echo "docs/custom-profile.schema.json is stale: run make schema" >&2
  exit 1
fi
