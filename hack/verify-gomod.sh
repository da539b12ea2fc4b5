#!/usr/bin/env bash
# go mod tidy leaves go.mod and go.sum unchanged, in the main and the tools module.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for dir in . hack/tools; do
  tmp=$(mktemp -d)
  cp "${dir}/go.mod" "${dir}/go.sum" "${tmp}/"
  (cd "${dir}" && go mod tidy)
  if ! diff -u "${tmp}/go.mod" "${dir}/go.mod" || ! diff -u "${tmp}/go.sum" "${dir}/go.sum"; then
    cp "${tmp}/go.mod" "${tmp}/go.sum" "${dir}/"
    rm -rf "${tmp}"
    echo "${dir}: go mod tidy changes go.mod or go.sum; run it and commit the result" >&2
    exit 1
  fi
  rm -rf "${tmp}"
done
