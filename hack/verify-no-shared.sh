#!/usr/bin/env bash
# The project carries its own test data: nothing may read the conformance folder it was
# copied from.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if hits=$(git grep -nE '\.\./shared|/shared/conformance' -- ':!hack/verify-no-shared.sh'); then
  echo "references to the shared folder:" >&2
  echo "${hits}" >&2
  exit 1
fi
