package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-debugger/kubectl-debugger/cmd/internal/pluginmain"
)

// runWith runs the plugin with args and returns its exit code, stdout and stderr.
func runWith(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	code := run(args, streams)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: default}\nspec:\n  containers: [{name: web, image: nginx}]\n"

// kuberc defaults for kubectl's debug command apply, and the command line wins.
func TestKubercDefaults(t *testing.T) {
	t.Setenv("KUBERC", "")
	t.Setenv("KUBECTL_KUBERC", "")
	kuberc := writeFile(t, "kuberc", `apiVersion: kubectl.config.k8s.io/v1beta1
kind: Preference
defaults:
- command: debug
  options:
  - {name: image, default: "busybox:1.36"}
  - {name: profile, default: netadmin}
- command: get
  options:
  - {name: output, default: wide}
`)
	file := writeFile(t, "pod.yaml", pod)
	template := "-o=jsonpath={.spec.ephemeralContainers[0].image} {.spec.ephemeralContainers[0].securityContext.capabilities.add}"
	code, out, errOut := runWith(t, "--kuberc="+kuberc, "-f", file, "-c", "dbg", "--dry-run=client", template)
	if code != 0 || out != `busybox:1.36 ["NET_ADMIN","NET_RAW"]` {
		t.Errorf("code=%d stdout=%q stderr=%q", code, out, errOut)
	}
	code, out, _ = runWith(t, "--kuberc="+kuberc, "-f", file, "-c", "dbg", "--dry-run=client", "--image=alpine", "--profile=sysadmin",
		"-o=jsonpath={.spec.ephemeralContainers[0].image} {.spec.ephemeralContainers[0].securityContext.privileged}")
	if code != 0 || out != "alpine true" {
		t.Errorf("the command line does not win: code=%d stdout=%q", code, out)
	}
}

// A kuberc that kubectl refuses is refused with kubectl's error, as kubectl prints it:
// kubectl's kuberc code decodes, validates and applies it.
func TestKubercInvalid(t *testing.T) {
	t.Setenv("KUBERC", "")
	t.Setenv("KUBECTL_KUBERC", "")
	file := writeFile(t, "pod.yaml", pod)
	const header = "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n"
	for _, tc := range []struct {
		name, kuberc, want string
	}{{
		name:   "unknown flag of debug",
		kuberc: header + "defaults:\n- command: debug\n  options: [{name: nope, default: x}]\n",
		want:   "invalid flag nope for command debug",
	}, {
		name:   "flag with dashes",
		kuberc: header + "defaults:\n- command: debug\n  options: [{name: --image, default: x}]\n",
		want:   "flag name --image should be in long form without dashes",
	}, {
		name:   "flag with dashes in another command's defaults",
		kuberc: header + "defaults:\n- command: get\n  options: [{name: -o, default: wide}]\n",
		want:   "flag name -o should be in long form without dashes",
	}, {
		name:   "alias name",
		kuberc: header + "aliases:\n- {name: dbg1, command: debug}\n",
		want:   "invalid alias name, can only include alphabetical characters",
	}, {
		name:   "duplicate alias",
		kuberc: header + "aliases:\n- {name: dbg, command: debug}\n- {name: dbg, command: debug}\n",
		want:   "duplicate alias name dbg",
	}, {
		name:   "credential plugin policy",
		kuberc: header + "credentialPluginPolicy: Sometimes\n",
		want:   `unknown plugin policy: "Sometimes"`,
	}, {
		name:   "allowlist without its policy",
		kuberc: header + "credentialPluginPolicy: DenyAll\ncredentialPluginAllowlist: [{command: sh}]\n",
		want:   `misconfigured credential plugin allowlist: plugin policy is "DenyAll" but allowlist is non-nil`,
	}, {
		name:   "bad default value",
		kuberc: header + "defaults:\n- command: debug\n  options: [{name: stdin, default: maybe}]\n",
		want: `could not apply override value maybe to flag stdin in command debug err: invalid argument "maybe" for "-i, --stdin" flag: ` +
			`strconv.ParseBool: parsing "maybe": invalid syntax`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			kuberc := writeFile(t, "kuberc", tc.kuberc)
			code, out, errOut := runWith(t, "--kuberc="+kuberc, "-f", file, "--image=busybox", "--dry-run=client")
			want := "error occurred while applying preferences " + tc.want + "\n"
			if code != 1 || out != "" || errOut != want {
				t.Errorf("code=%d stdout=%q stderr=%q, want 1, nothing and %q", code, out, errOut, want)
			}
		})
	}
}

// kuberc defaults of other kubectl commands, and defaults of debug during a shell
// completion, are left alone, without a warning.
func TestKubercOtherCommands(t *testing.T) {
	t.Setenv("KUBERC", "")
	t.Setenv("KUBECTL_KUBERC", "")
	kuberc := writeFile(t, "kuberc", "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n"+
		"defaults:\n- command: get\n  options: [{name: nope, default: x}]\n- command: debug\n  options: [{name: profile, default: nope}]\n")
	code, out, errOut := runWith(t, "--kuberc="+kuberc, "__complete", "--image-pull-policy", "")
	want := "Always\nIfNotPresent\nNever\n:4\n"
	if code != 0 || out != want || strings.Contains(errOut, "Warning") {
		t.Errorf("code=%d stdout=%q stderr=%q, want 0 and %q", code, out, errOut, want)
	}
}

// fakeServer answers /version with gitVersion and a pod GET with a warning.
func fakeServer(t *testing.T, gitVersion string) (kubeconfig string) {
	t.Helper()
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v1/namespaces":
			fmt.Fprint(w, `{"apiVersion": "v1", "kind": "NamespaceList", "items": [{"metadata": {"name": "default"}}, {"metadata": {"name": "kube-system"}}]}`)
		case r.URL.Path == "/version":
			fmt.Fprintf(w, `{"gitVersion": %q, "gitCommit": "$Format:%%H$"}`, gitVersion)
		case strings.HasSuffix(r.URL.Path, "/pods/app"):
			w.Header().Add("Warning", `299 - "pods are about to change"`)
			fmt.Fprint(w, `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "default"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(server.Close)
	return writeFile(t, "kubeconfig", fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]
users: [{name: u, user: {token: t}}]
current-context: c
`, server.URL))
}

func TestMatchServerVersion(t *testing.T) {
	t.Setenv("KUBERC", "off")
	ours := pluginmain.ClientVersion().GitVersion
	code, _, errOut := runWith(t, "--kubeconfig="+fakeServer(t, ours), "--match-server-version", "app", "--image=busybox", "--dry-run=client", "-q")
	if code != 0 {
		t.Errorf("same version: code=%d stderr=%q", code, errOut)
	}
	code, _, errOut = runWith(t, "--kubeconfig="+fakeServer(t, "v1.0.0"), "--match-server-version", "app", "--image=busybox", "--dry-run=client", "-q")
	want := fmt.Sprintf("server version (v1.0.0, commit $Format:%%H$) differs from client version (%s, commit $Format:%%H$)", ours)
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("other version: code=%d stderr=%q, want it to contain %q", code, errOut, want)
	}
	// Without the flag, nothing is compared.
	code, _, errOut = runWith(t, "--kubeconfig="+fakeServer(t, "v1.0.0"), "app", "--image=busybox", "--dry-run=client", "-q")
	if code != 0 {
		t.Errorf("no check: code=%d stderr=%q", code, errOut)
	}
}

func TestWarningsAsErrors(t *testing.T) {
	t.Setenv("KUBERC", "off")
	kubeconfig := fakeServer(t, "v1.0.0")
	code, _, errOut := runWith(t, "--kubeconfig="+kubeconfig, "app", "--image=busybox", "--dry-run=client", "-q")
	if code != 0 || errOut != "Warning: pods are about to change\n" {
		t.Errorf("code=%d stderr=%q", code, errOut)
	}
	code, _, errOut = runWith(t, "--kubeconfig="+kubeconfig, "--warnings-as-errors", "app", "--image=busybox", "--dry-run=client", "-q")
	if code != 1 || errOut != "Warning: pods are about to change\nerror: 1 warning received\n" {
		t.Errorf("code=%d stderr=%q", code, errOut)
	}
}

// Every global flag kubectl lists in `kubectl options` is taken (some then fail on what
// they point to, as in kubectl: a missing file, a context that is not there).
func TestKubectlGlobalFlags(t *testing.T) {
	t.Setenv("KUBERC", "off")
	file := writeFile(t, "pod.yaml", pod)
	for _, flag := range []string{
		"--as=x", "--as-group=g", "--as-uid=u", "--as-user-extra=k=v", "--cache-dir=/tmp/c", "--certificate-authority=/ca",
		"--client-certificate=/c", "--client-key=/k", "--cluster=c", "--context=c", "--disable-compression", "--insecure-skip-tls-verify",
		"--kubeconfig=/nonexistent", "--kuberc=", "--log-flush-frequency=1s", "--match-server-version", "-n=default", "--password=p",
		"--profile-output=p.pprof", "--proxy-url=http://127.0.0.1:1", "--request-timeout=1s", "-s=https://127.0.0.1:1", "--tls-server-name=n",
		"--token=t", "--user=u", "--username=u", "-v=0", "--vmodule=x=1", "--warnings-as-errors",
	} {
		_, _, errOut := runWith(t, flag, "-f", file, "--image=busybox", "--dry-run=client", "-o", "name")
		if strings.Contains(errOut, "unknown flag") || strings.Contains(errOut, "unknown shorthand") {
			t.Errorf("%s refused: %s", flag, errOut)
		}
	}
	code, out, errOut := runWith(t, "--match-server-version", "--warnings-as-errors", "--vmodule=x=1", "--log-flush-frequency=1s", "--profile-output=p",
		"-f", file, "--image=busybox", "--dry-run=client", "-o", "name")
	if code != 0 || out != "pod/app\n" {
		t.Errorf("code=%d stdout=%q stderr=%q", code, out, errOut)
	}
}

// kuberc's credentialPluginPolicy governs the kubeconfig's exec plugins, as in kubectl.
func TestKubercCredentialPluginPolicy(t *testing.T) {
	t.Setenv("KUBERC", "")
	t.Setenv("KUBECTL_KUBERC", "")
	server := fakeServer(t, "v1.0.0")
	raw, err := os.ReadFile(server)
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "plugin-ran")
	exec := fmt.Sprintf(`users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, interactiveMode: Never,
  args: ["-c", "touch %s; echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}'"]}}}]`, marker)
	kubeconfig := writeFile(t, "kubeconfig", strings.Replace(string(raw), "users: [{name: u, user: {token: t}}]", exec, 1))
	deny := writeFile(t, "kuberc", "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ncredentialPluginPolicy: DenyAll\n")

	code, _, errOut := runWith(t, "--kubeconfig="+kubeconfig, "--kuberc="+deny, "app", "--image=busybox", "--dry-run=client", "-q")
	if code == 0 || !strings.Contains(errOut, "DenyAll") {
		t.Errorf("DenyAll: code=%d stderr=%q, want the plugin refused", code, errOut)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the credential plugin ran under DenyAll")
	}
	code, _, errOut = runWith(t, "--kubeconfig="+kubeconfig, "app", "--image=busybox", "--dry-run=client", "-q")
	if code != 0 {
		t.Errorf("no policy: code=%d stderr=%q", code, errOut)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the credential plugin did not run without a policy: %v", err)
	}
}

// A kuberc at fault is one line on stderr, not a page of usage on stdout.
func TestBadKubercPrintsNoUsage(t *testing.T) {
	t.Setenv("KUBERC", "")
	t.Setenv("KUBECTL_KUBERC", "")
	missing := filepath.Join(t.TempDir(), "kuberc")
	code, out, errOut := runWith(t, "--kuberc="+missing, "app", "--image=busybox")
	want := "error occurred while applying preferences kuberc error kuberc: open " + missing + ": no such file or directory\n"
	if code != 1 || out != "" || errOut != want {
		t.Errorf("code=%d stdout=%q stderr=%q, want 1, nothing and %q", code, out, errOut, want)
	}
}

// A kubeconfig or kuberc that is not a regular file, or is too large to be one, is
// refused before anything reads it, naming the flag or variable and the path. The null
// device, which scripts give to mean no file, is taken.
func TestConfigFilesRefused(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// One byte over the documented limit of 8 MiB.
	if err := os.Truncate(big, 8<<20+1); err != nil {
		t.Fatal(err)
	}
	good := fakeServer(t, "v1.0.0")
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfigFIFO := fifoOf(t, raw)
	kubercFIFO := fifoOf(t, []byte("apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n"))
	tests := []struct {
		name       string
		kubeconfig string
		kuberc     string
		args       []string
		want       string
	}{
		{name: "--kubeconfig directory", args: []string{"--kubeconfig=" + dir}, want: "error: --kubeconfig " + dir + ": is a directory\n"},
		{name: "--kubeconfig too large", args: []string{"--kubeconfig=" + big}, want: "error: --kubeconfig " + big + ": larger than 8 MiB\n"},
		{name: "--kubeconfig FIFO", args: []string{"--kubeconfig=" + kubeconfigFIFO}, want: "error: --kubeconfig " + kubeconfigFIFO + ": not a regular file\n"},
		{name: "KUBECONFIG entry", kubeconfig: good + string(filepath.ListSeparator) + big, want: "error: KUBECONFIG entry " + big + ": larger than 8 MiB\n"},
		{name: "--kuberc directory", args: []string{"--kuberc=" + dir}, want: "error: --kuberc " + dir + ": is a directory\n"},
		{name: "KUBERC FIFO", kuberc: kubercFIFO, want: "error: KUBERC " + kubercFIFO + ": not a regular file\n"},
		{name: "KUBERC too large", kuberc: big, want: "error: KUBERC " + big + ": larger than 8 MiB\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.kubeconfig)
			t.Setenv("KUBERC", tt.kuberc)
			t.Setenv("KUBECTL_KUBERC", "")
			code, out, errOut := runWith(t, append(tt.args, "app", "--image=busybox", "--dry-run=client")...)
			if code != 1 || out != "" || errOut != tt.want {
				t.Errorf("code=%d stdout=%q stderr=%q, want 1, nothing and %q", code, out, errOut, tt.want)
			}
		})
	}

	t.Setenv("KUBERC", "off")
	file := writeFile(t, "pod.yaml", pod)
	code, out, errOut := runWith(t, "--kubeconfig="+os.DevNull, "-f", file, "--image=busybox", "--dry-run=client", "-o", "name")
	if code != 0 || out != "pod/app\n" {
		t.Errorf("--kubeconfig=%s: code=%d stdout=%q stderr=%q", os.DevNull, code, out, errOut)
	}
}

// fifoOf makes a FIFO that gives content to whoever reads it. It stands for a device or
// a pipe that a read would block on or never finish, without the harm should the read
// happen after all; a writer still waiting for a reader at the end is let go.
func fifoOf(t *testing.T, content []byte) string {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	go func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			_, _ = w.Write(content)
			_ = w.Close()
		}
	}()
	t.Cleanup(func() {
		if r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = r.Close()
		}
	})
	return fifo
}

// Completion reads the kubeconfig through the same check: a FIFO completes nothing.
func TestCompletionRefusesConfigFiles(t *testing.T) {
	t.Setenv("KUBERC", "off")
	raw, err := os.ReadFile(fakeServer(t, "v1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	fifo := fifoOf(t, raw)
	code, out, _ := runWith(t, "__complete", "--kubeconfig="+fifo, "--context", "")
	if want := ":4\n"; code != 0 || out != want {
		t.Errorf("code=%d stdout=%q, want 0 and %q (no contexts)", code, out, want)
	}
}

// silentServer is an API server on 127.0.0.1 that accepts requests and never answers;
// each request is announced on the returned channel.
func silentServer(t *testing.T) (string, <-chan string) {
	t.Helper()
	requests := make(chan string, 16)
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case requests <- r.URL.Path:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	// Cleanups run last first: the handlers are let go before the server waits for them.
	t.Cleanup(server.Close)
	t.Cleanup(func() { close(release) })
	return server.URL, requests
}

// Ctrl-C during --match-server-version's check ends it at once, naming the step.
func TestVersionCheckInterrupted(t *testing.T) {
	url, requests := silentServer(t)
	flags := genericclioptions.NewConfigFlags(false)
	*flags.KubeConfig = os.DevNull
	*flags.APIServer = url
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	getter := pluginmain.NewGetter(ctx, flags, true)
	go func() {
		if <-requests == "/version" {
			cancel()
		}
	}()
	_, err := getter.ToRESTConfig()
	if got, want := fmt.Sprint(err), "checking the server version: context canceled"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// Completion against a server that never answers, with or without --match-server-version,
// ends within its time limit, offering only what needs no server: targets, containers
// and namespaces alike.
func TestCompletionBoundedAgainstASilentServer(t *testing.T) {
	t.Setenv("KUBERC", "off")
	url, _ := silentServer(t)
	defer func(d time.Duration) { debugger.CompletionTimeout = d }(debugger.CompletionTimeout)
	debugger.CompletionTimeout = 50 * time.Millisecond
	kubeconfig, server := "--kubeconfig="+os.DevNull, "--server="+url
	kinds := "node/\npod/\ndeployment/\nreplicaset/\nstatefulset/\ndaemonset/\njob/\nreplicationcontroller/\nservice/\n:6\n"
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", kubeconfig, server, "--match-server-version", ""}, ":4\n"},
		{[]string{"__complete", kubeconfig, server, "--match-server-version", "app", "-c", ""}, ":4\n"},
		{[]string{"__complete", kubeconfig, server, "--match-server-version", "-n", ""}, ":4\n"},
		// Global flags may come before the completion command, as kubectl's own test
		// suite passes them.
		{[]string{kubeconfig, server, "--match-server-version", "__complete", ""}, ":4\n"},
		// Without the version check the reads themselves are bounded.
		{[]string{"__complete", kubeconfig, server, "-n", ""}, ":4\n"},
		{[]string{"__complete", kubeconfig, server, ""}, kinds},
	} {
		type result struct {
			code int
			out  string
		}
		done := make(chan result, 1)
		go func() {
			code, out, _ := runWith(t, tt.args...)
			done <- result{code, out}
		}()
		select {
		case r := <-done:
			if r.code != 0 || r.out != tt.want {
				t.Errorf("%q: code=%d stdout=%q, want 0 and %q", tt.args, r.code, r.out, tt.want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%q: completion still running 20 s after its 50 ms limit", tt.args)
		}
	}
}

// The plugin passes its own names to the command, not kubectl's: its variable and
// directory of named profiles, and its annotation on the pods it creates.
func TestPluginIdentity(t *testing.T) {
	t.Setenv("KUBERC", "off")
	home := t.TempDir()
	t.Setenv("HOME", home)
	profiles := filepath.Join(home, ".kube", "debug-profiles")
	if err := os.MkdirAll(profiles, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profiles, "team.yaml"), []byte("env: [{name: TEAM, value: home}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fromEnv := filepath.Dir(writeFile(t, "team.yaml", "env: [{name: TEAM, value: env}]\n"))
	node := writeFile(t, "node.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n")
	template := "-o=jsonpath={.metadata.annotations} {.spec.containers[0].env[0].value}"
	for _, tt := range []struct {
		name, env, want string
	}{
		{"home directory", "", `{"kubectl-debugger/target":"node/node-a"} home`},
		{"variable", fromEnv, `{"kubectl-debugger/target":"node/node-a"} env`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECTL_DEBUGGER_PROFILES", tt.env)
			code, out, errOut := runWith(t, "-f", node, "--image=busybox", "--custom=team", "--dry-run=client", template)
			if code != 0 || out != tt.want {
				t.Errorf("code=%d stdout=%q stderr=%q, want 0 and %q", code, out, errOut, tt.want)
			}
		})
	}
	code, out, _ := runWith(t, "--help")
	if want := "in $KUBECTL_DEBUGGER_PROFILES (default ~/.kube/debug-profiles)."; code != 0 || !strings.Contains(out, want) {
		t.Errorf("--help: code=%d, want the --custom help to say %q", code, want)
	}
}

// A profile document with the apiVersion from before the API group still works, with a
// warning.
func TestDeprecatedProfileAPIVersion(t *testing.T) {
	t.Setenv("KUBERC", "off")
	file := writeFile(t, "pod.yaml", pod)
	custom := writeFile(t, "old.yaml", "apiVersion: kubectl-debugger/v1alpha1\nkind: DebugProfile\ncontainer: {env: [{name: A, value: b}]}\n")
	code, out, errOut := runWith(t, "-f", file, "--image=busybox", "-c", "dbg", "--custom="+custom, "--dry-run=client", "-o=jsonpath={.spec.ephemeralContainers[0].env}")
	wantErr := "Warning: --custom " + custom + ": apiVersion kubectl-debugger/v1alpha1 is deprecated: use apiVersion debugger.kubectl-debugger.github.io/v1alpha1\n"
	if code != 0 || out != `[{"name":"A","value":"b"}]` || errOut != wantErr {
		t.Errorf("code=%d stdout=%q stderr=%q, want 0, the env and %q", code, out, errOut, wantErr)
	}
}
