#!/usr/bin/env bash
# The debug package's phases own their effects: execute (execute.go) sends every API
# write, the --rm deletes included, and present with its session part (present.go and
# --check's report, checkreport.go; then session.go with attach, --logs and cleanup:
# attach.go, containerevents.go, detach.go, logs.go, streamlog.go, cleanup.go) does all the
# printing. Checked by call site in the
# package's non-test files.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A typed client's mutating call takes a context first; customprofile.Apply and the
# like take none.
writes='\.(Create|Update|UpdateStatus|UpdateEphemeralContainers|Patch|Apply|ApplyStatus|Delete|DeleteCollection|Evict[A-Za-z0-9]*)\([[:space:]]*[A-Za-z0-9_]*[cC]tx[,)]'
# Present and its session hold their streams in fields of their own (out, errOut), and
# DebugOptions has them as Out and ErrOut: using one anywhere else is printing.
prints='fmt\.(Print|Fprint)|\bos\.(Stdout|Stderr)\b|\.(Out|ErrOut|out|errOut)\b|\.notice\(|\bprintln\('
writers='^execute\.go$'
printers='^(present|checkreport|session|attach|containerevents|detach|logs|streamlog|cleanup)\.go$'

# hits prints the lines of grep -nE pattern in the package's non-test files outside the
# files allowed (a regular expression on the base name).
hits() {
  local pattern=$1 allowed=$2 dir=${3:-pkg/cmd/debug} file
  for file in "${dir}"/*.go; do
    [[ ${file} == *_test.go ]] && continue
    [[ $(basename "${file}") =~ ${allowed} ]] && continue
    grep -nE "${pattern}" "${file}" | sed "s|^|${file}:|" || true
  done
}

# The matchers themselves, on a sample package: each call is caught where it does not
# belong, and only there.
sample=$(mktemp -d)
trap 'rm -rf "${sample}"' EXIT
cat >"${sample}/plan.go" <<'GO'
	_, err := pods.Create(ctx, pod, metav1.CreateOptions{})
	err = pods.Delete(attemptCtx, name, opts)
	err = customprofile.Apply(pod, name, profiles)
	fmt.Fprintf(o.ErrOut, "Warning: %s\n", w)
	o.notice("Defaulting debug container name.")
	return printer.PrintObj(pod, pr.out)
	s.in, s.out = consoleStreams(s.in, s.out)
	outcome := out.pod
GO
cp "${sample}/plan.go" "${sample}/execute.go"
cp "${sample}/plan.go" "${sample}/present.go"
cp "${sample}/plan.go" "${sample}/session.go"
# Writes: 2 in each of plan.go, present.go and session.go. Prints: 4 in each of plan.go
# and execute.go; out.pod is no stream.
if [[ $(hits "${writes}" "${writers}" "${sample}" | wc -l) != 6 ]] ||
  [[ $(hits "${prints}" "${printers}" "${sample}" | wc -l) != 8 ]]; then
  echo "hack/verify-phases.sh: the matchers do not find the writes and prints of a sample" >&2
  exit 1
fi

failed=0
if found=$(hits "${writes}" "${writers}") && [[ -n ${found} ]]; then
  echo "API writes outside execute (send them through the sender in execute.go):" >&2
  echo "${found}" >&2
  failed=1
fi
if found=$(hits "${prints}" "${printers}") && [[ -n ${found} ]]; then
  echo "printing outside present and its session part (return it as data to present):" >&2
  echo "${found}" >&2
  failed=1
fi
exit "${failed}"
