#!/usr/bin/env bash
# Every Go file is gofmt-formatted.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unformatted=$(gofmt -l $(git ls-files --cached --others --exclude-standard '*.go'))
if [[ -n "${unformatted}" ]]; then
  echo "not gofmt-formatted (run gofmt -w):" >&2
  echo "${unformatted}" >&2
  exit 1
fi
