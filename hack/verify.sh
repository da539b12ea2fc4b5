#!/usr/bin/env bash
# Runs every hack/verify-*.sh and reports each; exits non-zero if any fails.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=()
for check in hack/verify-*.sh; do
  echo "+++ ${check}"
  if ! bash "${check}"; then
    failed+=("${check}")
  fi
done
if (( ${#failed[@]} > 0 )); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all checks passed"
