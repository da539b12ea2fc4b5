package main

import (
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// The command runs with kubectl's global flags beside its own, and a misuse is named
// with the hint to its help, under the name kubectl users call it by.
func TestCommand(t *testing.T) {
	t.Setenv("KUBERC", "off")
	for _, tt := range []struct {
		args             []string
		code             int
		wantOut, wantErr string
	}{
		{[]string{"--version"}, 0, "kubectl-debugger-sessions unknown (commit unknown), client libraries Kubernetes v0.0.0-master+$Format:%H$\n", ""},
		{[]string{"--kubeconfig=/dev/null", "-n", "shop", "-o", "table"}, 1, "",
			"error: --output \"table\": must be one of wide, json, yaml, name\nSee 'kubectl debugger sessions -h' for help and examples.\n"},
		{[]string{"--kubeconfig=/dev/null", "--stop-all"}, 1, "",
			"error: --stop-all needs -l/--selector, -n/--namespace or -A/--all-namespaces to say which sessions\nSee 'kubectl debugger sessions -h' for help and examples.\n"},
		{[]string{"--kubeconfig=/dev/null", "app/dbg"}, 1, "",
			"error: unexpected arguments [\"app/dbg\"]: give the session to stop with --stop POD/CONTAINER\n"},
	} {
		streams, _, out, errOut := genericiooptions.NewTestIOStreams()
		code := sessionsPlugin.Run(tt.args, streams)
		if code != tt.code || out.String() != tt.wantOut || errOut.String() != tt.wantErr {
			t.Errorf("%q: code=%d stdout=%q stderr=%q, want %d, %q and %q", tt.args, code, out, errOut, tt.code, tt.wantOut, tt.wantErr)
		}
	}
}
