#!/usr/bin/env bash
# Every Go file under hack/ (but the separate module in hack/tools) is built and vetted
# with the main module: none may opt out with an ignore build tag, which would hide it
# from go build, go vet and go test.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- 'hack/*.go' ':!hack/tools')
((${#files[@]})) || exit 0
# The tag alone or in an expression (ignore && linux), not negated (!ignore).
tag='^//(go:build|[[:space:]]*\+build)[[:space:]](.*[[:space:](|&])?ignore([^[:alnum:]_.]|$)'
if hits=$(grep -nE "${tag}" "${files[@]}"); then
  echo "Go files under hack/ that go build and go vet never see (drop the ignore tag, give each a package directory):" >&2
  echo "${hits}" >&2
  exit 1
fi
