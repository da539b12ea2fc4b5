package sessions

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	uexec "k8s.io/utils/exec"
)

// fakeRemote records what is run in containers; exec and closeInput say what happens.
type fakeRemote struct {
	calls      []string
	exec       func() (string, error)
	closeInput func() error
}

func (r *fakeRemote) Exec(_ context.Context, ns, pod, container string, command []string) (string, error) {
	r.calls = append(r.calls, fmt.Sprintf("exec %s/%s/%s %q", ns, pod, container, command[:2]))
	if command[2] != killOwnProcesses {
		return "", fmt.Errorf("unexpected script %q", command[2])
	}
	return r.exec()
}

func (r *fakeRemote) EndInput(_ context.Context, ns, pod, container string, tty bool, input string) error {
	r.calls = append(r.calls, fmt.Sprintf("end input %s/%s/%s tty=%v %q", ns, pod, container, tty, input))
	return r.closeInput()
}

// terminate sets the status of the ephemeral container called name of pod app to
// terminated with code, as the kubelet reports it once the container ended.
func terminate(t *testing.T, client *fake.Clientset, name string, code int32) {
	t.Helper()
	// Through the tracker: the fake kubelet's reads are not the command's.
	obj, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "shop", "app")
	if err != nil {
		t.Fatal(err)
	}
	pod := obj.(*corev1.Pod)
	for i := range pod.Status.EphemeralContainerStatuses {
		if s := &pod.Status.EphemeralContainerStatuses[i]; s.Name == name {
			s.State = terminated(code, time.Minute)
		}
	}
	if err := client.Tracker().Update(corev1.SchemeGroupVersion.WithResource("pods"), pod, "shop"); err != nil {
		t.Fatal(err)
	}
}

// withContainer is the fixture with the ephemeral container dbg of pod app changed by f.
func withContainer(f func(*corev1.EphemeralContainer)) []runtime.Object {
	objects := fixture()
	f(&objects[1].(*corev1.Pod).Spec.EphemeralContainers[0])
	return objects
}

func TestStop(t *testing.T) {
	script := `exec shop/app/dbg ["sh" "-c"]`
	getApp := "get pods shop app"
	tests := []struct {
		name    string
		objects []runtime.Object
		stop    string
		// exec and closeInput end the container with terminate, or fail.
		exec       func(*testing.T, *fake.Clientset) (string, error)
		closeInput func(*testing.T, *fake.Clientset) error
		wantOut    string
		wantErr    string
		wantCalls  []string
		wantAPI    []string
	}{
		{
			name: "an ephemeral shell that shares the target's processes", stop: "app/dbg",
			exec:      func(t *testing.T, c *fake.Clientset) (string, error) { terminate(t, c, "dbg", 137); return "", nil },
			wantOut:   "Stopped debug container dbg of pod shop/app: Terminated (exit 137).\n",
			wantCalls: []string{script}, wantAPI: []string{getApp, getApp},
		},
		{
			name: "the exec ends with the container", stop: "pod/app/dbg",
			exec: func(t *testing.T, c *fake.Clientset) (string, error) {
				terminate(t, c, "dbg", 137)
				return "", uexec.CodeExitError{Err: fmt.Errorf("command terminated with exit code 137"), Code: 137}
			},
			wantOut:   "Stopped debug container dbg of pod shop/app: Terminated (exit 137).\n",
			wantCalls: []string{script}, wantAPI: []string{getApp, getApp},
		},
		{
			name: "PID 1 of its own namespace, on a terminal", stop: "app/dbg",
			exec:       func(*testing.T, *fake.Clientset) (string, error) { return "init\n", nil },
			closeInput: func(t *testing.T, c *fake.Clientset) error { terminate(t, c, "dbg", 0); return nil },
			wantOut:    "Stopped debug container dbg of pod shop/app: Terminated (exit 0).\n",
			wantCalls:  []string{script, `end input shop/app/dbg tty=true "\x15\x04"`}, wantAPI: []string{getApp, getApp},
		},
		{
			name:    "PID 1 of its own namespace, with stdinOnce",
			objects: withContainer(func(c *corev1.EphemeralContainer) { c.StdinOnce, c.TTY = true, false }), stop: "app/dbg",
			exec:       func(*testing.T, *fake.Clientset) (string, error) { return "init\n", nil },
			closeInput: func(t *testing.T, c *fake.Clientset) error { terminate(t, c, "dbg", 0); return nil },
			wantOut:    "Stopped debug container dbg of pod shop/app: Terminated (exit 0).\n",
			wantCalls:  []string{script, `end input shop/app/dbg tty=false ""`}, wantAPI: []string{getApp, getApp},
		},
		{
			name:    "PID 1 of its own namespace, with an input that stays open",
			objects: withContainer(func(c *corev1.EphemeralContainer) { c.TTY = false }), stop: "app/dbg",
			exec:       func(*testing.T, *fake.Clientset) (string, error) { return "init\n", nil },
			closeInput: func(t *testing.T, c *fake.Clientset) error { terminate(t, c, "dbg", 0); return nil },
			wantOut:    "Stopped debug container dbg of pod shop/app: Terminated (exit 0).\n",
			wantCalls:  []string{script, `end input shop/app/dbg tty=false "\nexit\n"`}, wantAPI: []string{getApp, getApp},
		},
		{
			name: "the attach fails", stop: "app/dbg",
			exec:       func(*testing.T, *fake.Clientset) (string, error) { return "init\n", nil },
			closeInput: func(*testing.T, *fake.Clientset) error { return fmt.Errorf("unable to upgrade connection") },
			wantErr:    `ending the input of debug container "dbg" of pod shop/app: unable to upgrade connection`,
			wantCalls:  []string{script, `end input shop/app/dbg tty=true "\x15\x04"`}, wantAPI: []string{getApp},
		},
		{
			name:    "PID 1 of its own namespace with no input",
			objects: withContainer(func(c *corev1.EphemeralContainer) { c.Stdin, c.TTY = false, false }), stop: "app/dbg",
			exec:      func(*testing.T, *fake.Clientset) (string, error) { return "init\n", nil },
			wantErr:   `debug container "dbg" of pod shop/app runs as PID 1 of its own process namespace, which ignores the signals sent from inside it, and reads no standard input to end: it cannot be stopped`,
			wantCalls: []string{script}, wantAPI: []string{getApp},
		},
		{
			name: "the processes cannot be listed", stop: "app/dbg",
			exec: func(*testing.T, *fake.Clientset) (string, error) {
				return "", fmt.Errorf(`exec: "sh": executable file not found in $PATH`)
			},
			wantErr:   `ending the processes of debug container "dbg" of pod shop/app: exec: "sh": executable file not found in $PATH`,
			wantCalls: []string{script}, wantAPI: []string{getApp},
		},
		{
			name: "already terminated", stop: "app/old",
			wantOut: "Already stopped: debug container old of pod shop/app: Terminated (exit 137).\n", wantAPI: []string{getApp},
		},
		{
			name: "not started", stop: "app/new",
			wantErr: `debug container "new" of pod shop/app is not running (Waiting (ImagePullBackOff)): nothing to stop`, wantAPI: []string{getApp},
		},
		{
			name: "a container of a pod that is not debugging", stop: "app/main",
			wantErr: `container "main" of pod shop/app is not a debug container: only ephemeral containers and the containers of the pods debugging creates (copies and node pods) are stopped`,
			wantAPI: []string{getApp},
		},
		{
			name: "no such container", stop: "app/nope",
			wantErr: `pod shop/app has no container "nope"`, wantAPI: []string{getApp},
		},
		{
			name: "a copy", stop: "aa-copy/debugger-x1",
			wantOut: "Deleted pod shop/aa-copy.\n", wantAPI: []string{"get pods shop aa-copy", "delete pods shop aa-copy grace=0"},
		},
		{
			name: "a node pod", stop: "node-debugger-n2-fghij/debugger",
			wantOut: "Deleted pod shop/node-debugger-n2-fghij.\n",
			wantAPI: []string{"get pods shop node-debugger-n2-fghij", "delete pods shop node-debugger-n2-fghij grace=0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects := tt.objects
			if objects == nil {
				objects = fixture()
			}
			o, client, out, _ := newOptions(objects...)
			remote := &fakeRemote{
				exec:       func() (string, error) { return tt.exec(t, client) },
				closeInput: func() error { return tt.closeInput(t, client) },
			}
			o.Remote, o.Stop = remote, tt.stop
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			err := o.Run(context.Background())
			if got := fmt.Sprint(err); (err != nil || tt.wantErr != "") && got != tt.wantErr {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.wantErr)
			}
			if got := out.String(); got != tt.wantOut {
				t.Errorf("stdout %q, want %q", got, tt.wantOut)
			}
			if diff := cmp.Diff(tt.wantCalls, remote.calls); diff != "" {
				t.Errorf("run in containers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAPI, actions(client)); diff != "" {
				t.Errorf("API calls (-want +got):\n%s", diff)
			}
		})
	}
}

// --stop-all with a selector stops what is running and deletes the debugging pods, each
// once; what has ended is left alone.
func TestStopAll(t *testing.T) {
	o, client, out, _ := newOptions(fixture()...)
	remote := &fakeRemote{exec: func() (string, error) { terminate(t, client, "dbg", 137); return "", nil }}
	o.Remote, o.StopAll = remote, true
	o.ExplicitNamespace = true
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := o.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantOut := "Deleted pod shop/aa-copy.\nStopped debug container dbg of pod shop/app: Terminated (exit 137).\nDeleted pod shop/node-debugger-n1-abcde.\nDeleted pod shop/node-debugger-n2-fghij.\n"
	if diff := cmp.Diff(wantOut, out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	wantAPI := []string{`list pods shop selector="" limit=500`, "delete pods shop aa-copy grace=0", "get pods shop app", "get pods shop app",
		"delete pods shop node-debugger-n1-abcde grace=0", "delete pods shop node-debugger-n2-fghij grace=0"}
	if diff := cmp.Diff(wantAPI, actions(client)); diff != "" {
		t.Errorf("API calls (-want +got):\n%s", diff)
	}
}

// A container that does not end in time is named with its state.
func TestStopTimeout(t *testing.T) {
	o, client, _, _ := newOptions(fixture()...)
	o.Remote = &fakeRemote{exec: func() (string, error) { return "", nil }}
	o.Stop, o.StopTimeout = "app/dbg", time.Nanosecond
	err := o.Run(context.Background())
	want := `debug container "dbg" of pod shop/app is still Running 1ns after its processes were ended`
	if fmt.Sprint(err) != want {
		t.Errorf("error %v, want %s", err, want)
	}
	for _, a := range actions(client) {
		if a != "get pods shop app" {
			t.Errorf("unexpected API call %s", a)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Options)
		want string
	}{
		{"output", func(o *Options) { o.Output = "table" }, `--output "table": must be one of wide, json, yaml, name`},
		{"selector", func(o *Options) { o.Selector = "a=(" }, `--selector "a=(": unable to parse requirement: found '(', expected: identifier`},
		{"both stops", func(o *Options) { o.Stop, o.StopAll = "a/b", true }, "--stop and --stop-all cannot be given together"},
		{"stop with -A", func(o *Options) { o.Stop, o.AllNamespaces = "a/b", true }, "--stop names one session: give -n for its namespace, not -A or -l"},
		{"stop-all alone", func(o *Options) { o.StopAll = true }, "--stop-all needs -l/--selector, -n/--namespace or -A/--all-namespaces to say which sessions"},
		{"stop with -o json", func(o *Options) { o.Stop, o.Output = "a/b", "json" }, "--output json lists sessions: with --stop and --stop-all only -o name is taken"},
		{"stop without a container", func(o *Options) { o.Stop = "app" }, `--stop "app": want POD/CONTAINER`},
		{"stop with a kind", func(o *Options) { o.Stop = "node/n1/c" }, `--stop "node/n1/c": want POD/CONTAINER`},
		{"timeout", func(o *Options) { o.StopTimeout = 0 }, "--timeout 0s: must be more than 0"},
		{"stop-all with -n", func(o *Options) { o.StopAll, o.ExplicitNamespace = true, true }, ""},
	} {
		o, _, _, _ := newOptions()
		tt.set(o)
		if got := o.Validate(); fmt.Sprint(got) != tt.want && (got != nil || tt.want != "") {
			t.Errorf("%s: %v, want %s", tt.name, got, tt.want)
		}
	}
}
