package main

import (
	"context"
	"fmt"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubectl-debugger/kubectl-debugger/cmd/internal/pluginmain"
)

// The --match-server-version check accepts and refuses the servers kubectl's
// (cmdutil.MatchVersionFlags) accepts and refuses. Deliberate differences: the message
// of a refusal names both versions and commits in words where kubectl prints both Go
// structures whole, and the request has the command's context, so Ctrl-C or a
// completion's time limit ends it (kubectl's cannot be given one).
func TestMatchServerVersionMatchesKubectl(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	client := pluginmain.ClientVersion()
	tests := []struct {
		name, serverVersion string
		// ours is the plugin's refusal, empty where the server is accepted.
		ours string
	}{
		{name: "same release", serverVersion: client.GitVersion},
		{name: "other release", serverVersion: "v1.0.0",
			ours: fmt.Sprintf("server version (v1.0.0, commit %s) differs from client version (%s, commit %s)", client.GitCommit, client.GitVersion, client.GitCommit)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kubeconfig := fakeServer(t, tt.serverVersion)
			flags := genericclioptions.NewConfigFlags(true)
			flags.KubeConfig = &kubeconfig
			flags.CacheDir = new(string)
			*flags.CacheDir = t.TempDir()
			ours := pluginmain.NewGetter(context.Background(), flags, true)
			theirs := cmdutil.NewMatchVersionFlags(flags)
			theirs.RequireMatchedServerVersion = true

			_, oursErr := ours.ToRESTConfig()
			_, theirsErr := theirs.ToRESTConfig()
			if (oursErr == nil) != (theirsErr == nil) {
				t.Fatalf("ours: %v; kubectl's: %v", oursErr, theirsErr)
			}
			if got := fmt.Sprint(oursErr); oursErr != nil && got != tt.ours {
				t.Errorf("ours: %s\nwant: %s\n(kubectl's: %v)", got, tt.ours, theirsErr)
			}
			if oursErr == nil && tt.ours != "" {
				t.Errorf("ours accepts the server, want: %s", tt.ours)
			}
		})
	}
}
