package debug

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// --request-timeout bounds requests, not streams: the client for followed logs has no
// timeout, or --logs would lose what the container writes after that age.
func TestStreamsOutliveTheRequestTimeout(t *testing.T) {
	config := clientcmdapi.NewConfig()
	config.Clusters["c"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	config.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
	config.Contexts["x"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	config.CurrentContext = "x"
	getter := genericclioptions.NewTestConfigFlags().WithClientConfig(
		clientcmd.NewDefaultClientConfig(*config, &clientcmd.ConfigOverrides{Timeout: "3s"}))
	streams, _, _, _ := newTestStreams()
	o := NewDebugOptions(streams)
	o.restClientGetter = getter

	timeoutOf := func(get func() (kubernetes.Interface, error)) time.Duration {
		t.Helper()
		client, err := get()
		if err != nil {
			t.Fatal(err)
		}
		return client.CoreV1().RESTClient().(*rest.RESTClient).Client.Timeout
	}
	if got := timeoutOf(o.clientset); got != 3*time.Second {
		t.Errorf("requests time out after %v, want --request-timeout's 3s", got)
	}
	if got := timeoutOf(o.streamingClientset); got != 0 {
		t.Errorf("streams time out after %v, want never", got)
	}
}

// A flag error inside kubectl is reported as kubectl reports one for any command; the
// command alone (the plugin) points to its own help.
func TestFlagErrors(t *testing.T) {
	o := NewDebugOptions(genericiooptions.NewTestIOStreamsDiscard())
	root := &cobra.Command{Use: "kubectl"}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s\nSee '%s --help' for usage.", err, c.CommandPath())
	})
	root.AddCommand(newCmdDebug(testGetter("test"), o))
	root.SetArgs([]string{"debug", "app", "--image=busybox", "--env=A"})
	root.SilenceErrors, root.SilenceUsage = true, true
	want := "invalid argument \"A\" for \"--env\" flag: \"A\" is not NAME=VALUE\nSee 'kubectl debug --help' for usage."
	if err := root.Execute(); errString(err) != want {
		t.Errorf("inside kubectl: error = %q, want %q", errString(err), want)
	}

	r := runCommand(t, nil, "", "app", "--image=busybox", "--env=A")
	var usage *UsageError
	if !errors.As(r.err, &usage) || usage.Hint() != "See 'debug -h' for help and examples." {
		t.Errorf("alone: error = %v, want a usage error pointing to the help", r.err)
	}
}
