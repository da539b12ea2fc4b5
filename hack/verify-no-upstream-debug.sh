#!/usr/bin/env bash
# The debug command is this project's own: nothing may import kubectl's debug, attach,
# exec or logs commands (the last three are heavy and would slow every start).
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
banned='"k8s.io/kubectl/pkg/cmd/(debug|attach|exec|logs)"'
if hits=$(git grep -nE "${banned}" -- '*.go' ':!hack/tools'); then
  echo "imports of upstream kubectl commands:" >&2
  echo "${hits}" >&2
  exit 1
fi
