#!/usr/bin/env bash
# The debug package takes the plugin's names from its caller (cmd/kubectl-debugger passes
# them to NewCmdDebugWithIdentity); kubectl builds it with kubectl's. So no name of the
# plugin may appear in what the kubernetes patch carries into kubectl: pkg/cmd/debug,
# internal/ and the test data they link to (conformance cases and custom profiles, the
# examples). Allowed: the module path, which the patch rewrites, and the DebugProfile
# document's API group, which is the file format's name in every build.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Lower case: the file's text is compared in lower case.
names='kubectl[-_ ]?debugger|debug-profiles'
allowed='github\.com/kubectl-debugger/kubectl-debugger/|debugger\.kubectl-debugger\.github\.io/'

# identity_hits prints the lines of grep -n output on stdin that name the plugin once
# the allowed names are taken out.
identity_hits() {
  awk -v names="${names}" -v allowed="${allowed}" '{
    text = tolower($0)
    gsub(allowed, "", text)
    if (text ~ names) print
  }'
}

# The matcher itself: a name of the plugin is caught, an import of the module is not.
sample=$'a.go:1:const annotation = "Kubectl-Debugger/target"\nb.go:2:\t"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"\nc.go:3:// see $KUBECTL_DEBUGGER_PROFILES\nd.yaml:4:apiVersion: debugger.kubectl-debugger.github.io/v1alpha1'
want=$'a.go:1:const annotation = "Kubectl-Debugger/target"\nc.go:3:// see $KUBECTL_DEBUGGER_PROFILES'
if [[ $(identity_hits <<<"${sample}") != "${want}" ]]; then
  echo "hack/verify-identity.sh: the matcher does not tell the plugin's names from the allowed ones" >&2
  exit 1
fi

# Symbolic links are followed, as the patch copies what they point to; of the
# conformance folder the patch takes only the cases and the custom profiles.
hits=$(grep -RnIiE --exclude-dir=conformance "${names}" pkg/cmd/debug internal test/conformance/cases.txt test/conformance/custom |
  identity_hits || true)
if [[ -n ${hits} ]]; then
  echo "the plugin's names in the debug package (pass them in from cmd/kubectl-debugger instead):" >&2
  echo "${hits}" >&2
  exit 1
fi
