#!/usr/bin/env bash
# Every Go file is gofmt-formatted.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.go')
unformatted=$(gofmt -l "${files[@]}")
if [[ -n "${unformatted}" ]]; then
  echo "not gofmt-formatted (run gofmt -w):" >&2
  echo "${unformatted}" >&2
  exit 1
fi
