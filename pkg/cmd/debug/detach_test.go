package debug

import (
	"context"
	"io"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// The detach keys end the input where they are typed; the keys themselves never reach
// the container, and what came before them does.
func TestDetachingReader(t *testing.T) {
	keys, err := parseDetachKeys(defaultDetachKeys)
	if err != nil {
		t.Fatal(err)
	}
	detached := 0
	r := newDetachingReader(strings.NewReader("ls\r\x10\x11exit\r"), keys, func() { detached++ })
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "ls\r" || detached != 1 {
		t.Errorf("read %q and detached %d times, want %q and once", got, detached, "ls\r")
	}

	// ctrl-p alone is a key like any other (shells recall the previous command with it).
	detached = 0
	r = newDetachingReader(strings.NewReader("\x10\x10x"), keys, func() { detached++ })
	if got, _ := io.ReadAll(r); string(got) != "\x10\x10x" || detached != 0 {
		t.Errorf("read %q and detached %d times, want every key and no detach", got, detached)
	}
}

func TestParseDetachKeys(t *testing.T) {
	tests := []struct {
		keys    string
		want    string
		wantErr string
	}{
		{keys: "ctrl-p,ctrl-q", want: "\x10\x11"},
		{keys: "ctrl-a,d", want: "\x01d"},
		{keys: "", want: ""},
		{keys: "ctrl-p,ctrlq", wantErr: `invalid --detach-keys "ctrl-p,ctrlq": give keys separated by commas, each one character or ctrl-a to ctrl-z, ctrl-@, ctrl-[, ctrl-\, ctrl-], ctrl-^, ctrl-_ or DEL`},
	}
	for _, tt := range tests {
		got, err := parseDetachKeys(tt.keys)
		if errString(err) != tt.wantErr || string(got) != tt.want {
			t.Errorf("parseDetachKeys(%q) = %q, %v; want %q, %q", tt.keys, got, err, tt.want, tt.wantErr)
		}
	}
	// A bad sequence is refused before any request.
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "-it", "--detach-keys=ctrl-pp")
	if want := `invalid --detach-keys "ctrl-pp": give keys separated by commas, each one character or ctrl-a to ctrl-z, ctrl-@, ctrl-[, ctrl-\, ctrl-], ctrl-^, ctrl-_ or DEL`; errString(r.err) != want {
		t.Errorf("error = %q, want %q", errString(r.err), want)
	}
	assertActions(t, client, nil)
}

// A session left with the detach keys ends at once with kubectl attach's message, and
// exit 0; the pod stays, --rm or not, and the message says how to delete it.
func TestDetachKeepsThePod(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
		// deletes counts the deletes of the copy.
		deletes int
	}{
		{name: "ephemeral", args: []string{"app", "-c", "dbg", "-it", "--image=busybox:1.36"},
			wantOut: "Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach app -c dbg -n test -i -t' if it is still running\n"},
		{name: "copy with --rm", args: []string{"app", "-c", "dbg", "-it", "--image=busybox:1.36", "--copy-to=app-copy", "--rm"},
			wantOut: "Session ended, resume using 'kubectl attach app-copy -c dbg -n test -i -t' command\n",
			wantErr: "Pod test/app-copy was kept, as the session was left, not ended (--rm); delete it with: kubectl delete pod app-copy -n test\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(appPod())
			watcher := watch.NewFake()
			client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
			go func() {
				copied := debugState("app-copy", running)
				copied.Spec.Containers = append(copied.Spec.Containers, corev1.Container{Name: "dbg", TTY: true})
				if tt.name == "ephemeral" {
					copied = appPod()
					copied.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", TTY: true}}}
					copied.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: running}}
				}
				watcher.Modify(copied)
			}()
			detach := func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error { return errDetached }
			r := newHarness(t, withAttach(detach), withTerminal()).run(client, tt.args...)
			if r.err != nil {
				t.Fatalf("error = %v, want none", r.err)
			}
			if !strings.HasSuffix(r.stdout, tt.wantOut) {
				t.Errorf("stdout = %q, want it to end with %q", r.stdout, tt.wantOut)
			}
			if !strings.HasSuffix(r.stderr, tt.wantErr) {
				t.Errorf("stderr = %q, want it to end with %q", r.stderr, tt.wantErr)
			}
			if n := deletesOf(client, "app-copy"); n != 0 {
				t.Errorf("%d deletes of the copy, want none", n)
			}
		})
	}
}
