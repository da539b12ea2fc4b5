#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Writes _output/kubernetes-debug.patch: a patch against kubernetes/kubernetes (the
# release of the k8s.io/kubectl module in go.mod) that replaces
# staging/src/k8s.io/kubectl/pkg/cmd/debug with this project's package. What is in
# internal/ (and the DebugProfile types) moves under the debug package's internal/, the
# imports are rewritten to k8s.io/kubectl/..., every Go file gets kubernetes' licence
# header, kubectl's go.mod marks the modules the package imports as direct, and the
# package's unit tests and their test data come along. The patched tree is left in
# _output/kubectl-patch/b.
#
#   hack/kubernetes-patch.sh
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$KD_ROOT"

module=k8s.io/kubectl
src=$(go list -m -f '{{.Dir}}' "$module")
version=$(go list -m -f '{{.Version}}' "$module")
staging=staging/src/$module
debug=$staging/pkg/cmd/debug
work=$KD_ROOT/_output/kubectl-patch
patch=$KD_ROOT/_output/kubernetes-debug.patch

rm -rf "$work"
mkdir -p "$work/a/$staging" "$work/b/$staging"
# a: the module as released; b: the same with the debug package replaced.
cp -r "$src/." "$work/a/$staging/"
cp -r "$src/." "$work/b/$staging/"
chmod -R u+w "$work"
rm -rf "$work/b/$debug"
mkdir -p "$work/b/$debug/internal/apis/debugprofile"

# The package, its tests and its test data; symlinked test data is copied as files.
cp -rL pkg/cmd/debug/. "$work/b/$debug/"
rm -rf "$work/b/$debug/testdata/conformance"
mkdir -p "$work/b/$debug/testdata/conformance"
cp -r test/conformance/cases.txt test/conformance/custom "$work/b/$debug/testdata/conformance/"
# The project's internal packages the package and its tests import, however deep.
internal_dirs=$(go list -deps -test ./pkg/cmd/debug |
  sed -n 's|^github.com/kubectl-debugger/kubectl-debugger/internal/\([^/]*\).*|\1|p' | sort -u)
for dir in $internal_dirs; do
  cp -rL "internal/$dir" "$work/b/$debug/internal/"
done
cp -r pkg/apis/debugprofile/v1alpha1 "$work/b/$debug/internal/apis/debugprofile/"

# Imports: the project's paths become the kubectl module's.
find "$work/b/$debug" -name '*.go' -print0 | xargs -0 sed -i \
  -e "s|github.com/kubectl-debugger/kubectl-debugger/internal/|$module/pkg/cmd/debug/internal/|g" \
  -e "s|github.com/kubectl-debugger/kubectl-debugger/pkg/apis/debugprofile/|$module/pkg/cmd/debug/internal/apis/debugprofile/|g"
if grep -r -l 'github.com/kubectl-debugger' "$work/b/$staging" >&2; then
  kd::log "the files above still name the project's module"
  exit 1
fi

# Kubernetes' licence header (hack/boilerplate/boilerplate.go.txt there), which its
# verify-boilerplate requires on every Go file, above anything else in the file.
header=$(mktemp)
trap 'rm -f "$header"' EXIT
cat >"$header" <<'HEADER'
/*
Copyright The Kubernetes Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

HEADER
while IFS= read -r -d '' file; do
  if ! grep -q -m 1 '^Copyright The Kubernetes Authors\.$' "$file"; then
    cat "$header" "$file" >"$file.new"
    mv "$file.new" "$file"
  fi
done < <(find "$work/b/$debug" -name '*.go' -print0)

# The debug package imports modules kubectl requires only indirectly so far: tidy
# marks them direct, as kubernetes' hack/update-vendor.sh would. Nothing else may move.
(cd "$work/b/$staging" && GOFLAGS=-mod=mod go mod tidy)
if ! cmp -s "$work/a/$staging/go.sum" "$work/b/$staging/go.sum"; then
  diff "$work/a/$staging/go.sum" "$work/b/$staging/go.sum" >&2 || true
  kd::log "go mod tidy changed kubectl's go.sum: the package needs modules kubectl does not have"
  exit 1
fi
# go.mod: the same lines but for "// indirect" marks and where requirements are listed.
gomod_lines() { sed -e 's#[[:space:]]*// indirect$##' -e '/^require ($/d' -e '/^)$/d' -e '/^$/d' "$1" | sort; }
if ! diff <(gomod_lines "$work/a/$staging/go.mod") <(gomod_lines "$work/b/$staging/go.mod") >&2; then
  kd::log "go mod tidy changed more in kubectl's go.mod than which requirements are direct"
  exit 1
fi

# A git patch, which also carries empty files (test data) that plain diff leaves out.
(cd "$work" && git diff --no-index --no-prefix --binary a b) >"$patch" || [[ $? == 1 ]]
kd::log "wrote $patch: kubernetes v1.${version#v0.}, $(grep -c '^diff --git ' "$patch") files"
