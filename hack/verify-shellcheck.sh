#!/usr/bin/env bash
# The scripts are shellcheck-clean. Skipped, with a note, where shellcheck is not
# installed: it is a Debian package (apt-get install shellcheck), not a Go module.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v shellcheck >/dev/null; then
  echo "shellcheck not installed: skipping (apt-get install shellcheck)" >&2
  exit 0
fi
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard '*.sh' .ci/run)
shellcheck -x "${scripts[@]}"
