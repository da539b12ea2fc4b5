package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

// now is the time the tests' ages count to.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(-d)) }

const (
	pluginAnnotation  = "example.com/debug-target"
	kubectlAnnotation = "kubectl.kubernetes.io/debug-target"
)

// running, terminated and waiting are container states.
func running(d time.Duration) corev1.ContainerState {
	return corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: ago(d)}}
}

func terminated(code int32, d time.Duration) corev1.ContainerState {
	return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, StartedAt: ago(d)}}
}

func waiting(reason string) corev1.ContainerState {
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
}

// managed is a managedFields entry of manager that holds the container called name in
// the spec's list, through subresource.
func managed(manager, subresource, list, name string) metav1.ManagedFieldsEntry {
	raw := fmt.Sprintf(`{"f:spec":{%q:{"k:{\"name\":\"%s\"}":{".":{},"f:image":{}}}}}`, list, name)
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, Subresource: subresource,
		FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(raw)}}
}

// fixture is a namespace with every kind of session and pods that are none.
func fixture() []runtime.Object {
	app := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "shop", CreationTimestamp: ago(3 * time.Hour),
			ManagedFields: []metav1.ManagedFieldsEntry{
				managed("kubectl-create", "", "f:containers", "main"),
				managed("kubectl-debug", "ephemeralcontainers", "f:ephemeralContainers", "dbg"),
				managed("kubectl", "ephemeralcontainers", "f:ephemeralContainers", "old"),
			}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "main", Image: "nginx"}},
			EphemeralContainers: []corev1.EphemeralContainer{
				{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox", Stdin: true, TTY: true,
					SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "SYS_PTRACE"}}}},
					TargetContainerName: "main"},
				{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "old", Image: "busybox",
					SecurityContext: &corev1.SecurityContext{RunAsUser: ptr.To[int64](0)}}},
				{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "new", Image: "missing:1"}},
			},
		},
		Status: corev1.PodStatus{
			ContainerStatuses: []corev1.ContainerStatus{{Name: "main", State: running(3 * time.Hour)}},
			EphemeralContainerStatuses: []corev1.ContainerStatus{
				{Name: "dbg", State: running(90 * time.Second)},
				{Name: "old", State: terminated(137, 2*time.Hour)},
				{Name: "new", State: waiting("ImagePullBackOff")},
			},
		},
	}
	// A copy the command held a session on, listed before the pod it copies.
	copied := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "aa-copy", Namespace: "shop", CreationTimestamp: ago(10 * time.Minute),
			Labels:        map[string]string{DebugPodLabel: DebugPodLabelValue},
			Annotations:   map[string]string{pluginAnnotation: "pod/app"},
			ManagedFields: []metav1.ManagedFieldsEntry{managed("kubectl-debug", "", "f:containers", "debugger-x1")}},
		Spec: corev1.PodSpec{
			SecurityContext:       &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](0)},
			ShareProcessNamespace: ptr.To(true),
			Containers:            []corev1.Container{{Name: "main", Image: "nginx"}, {Name: "debugger-x1", Image: "busybox"}},
		},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{
			{Name: "main", State: running(9 * time.Minute)}, {Name: "debugger-x1", State: running(9 * time.Minute)},
		}},
	}
	node := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "node-debugger-n1-abcde", Namespace: "shop", CreationTimestamp: ago(5 * time.Minute),
			Labels:      map[string]string{DebugPodLabel: DebugPodLabelValue},
			Annotations: map[string]string{kubectlAnnotation: "node/n1"}},
		Spec: corev1.PodSpec{
			NodeName: "n1", HostPID: true, HostNetwork: true, HostIPC: true,
			Containers: []corev1.Container{{Name: "debugger", Image: "busybox",
				SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}},
		},
	}
	// Upstream kubectl's node pod from before the label: its name and /host only.
	unlabelled := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "node-debugger-n2-fghij", Namespace: "shop", CreationTimestamp: ago(48 * time.Hour)},
		Spec: corev1.PodSpec{
			NodeName:   "n2",
			Volumes:    []corev1.Volume{{Name: "host-root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}},
			Containers: []corev1.Container{{Name: "debugger", Image: "busybox", VolumeMounts: []corev1.VolumeMount{{Name: "host-root", MountPath: "/host"}}}},
		},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "debugger", State: terminated(0, 47*time.Hour)}}},
	}
	// Named like a node pod, but nothing else says it is one.
	lookalike := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "node-debugger-fake", Namespace: "shop"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "nginx"}}},
	}
	other := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "prod"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
	}
	return []runtime.Object{copied, app, node, unlabelled, lookalike, other}
}

// newOptions returns options over a fake clientset holding objects, and the buffers of
// the command's output.
func newOptions(objects ...runtime.Object) (*Options, *fake.Clientset, *bytes.Buffer, *bytes.Buffer) {
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	client := fake.NewClientset(objects...)
	o := NewOptions(streams, pluginAnnotation, kubectlAnnotation)
	o.Client, o.Namespace, o.Now = client, "shop", func() time.Time { return now }
	return o, client, out, errOut
}

// actions names each API call the client got: verb, resource, namespace and, for a
// LIST, its label selector and limit.
func actions(client *fake.Clientset) []string {
	var got []string
	for _, a := range client.Actions() {
		s := fmt.Sprintf("%s %s %s", a.GetVerb(), a.GetResource().Resource, a.GetNamespace())
		switch a := a.(type) {
		case k8stesting.ListActionImpl:
			s += fmt.Sprintf(" selector=%q limit=%d", a.GetListOptions().LabelSelector, a.GetListOptions().Limit)
		case k8stesting.GetActionImpl:
			s += " " + a.GetName()
		case k8stesting.DeleteActionImpl:
			s += fmt.Sprintf(" %s grace=%d", a.GetName(), *a.GetDeleteOptions().GracePeriodSeconds)
		}
		got = append(got, s)
	}
	return got
}

func TestListTable(t *testing.T) {
	tests := []struct {
		name     string
		all      bool
		output   string
		selector string
		want     string
		wantList string
	}{
		{name: "namespace", want: `POD                      CONTAINER     KIND        TARGET    IMAGE       STATE                        AGE
aa-copy                  debugger-x1   copy        pod/app   busybox     Running                      9m
app                      dbg           ephemeral   main      busybox     Running                      90s
app                      old           ephemeral   <none>    busybox     Terminated (exit 137)        120m
app                      new           ephemeral   <none>    missing:1   Waiting (ImagePullBackOff)   <unknown>
node-debugger-n1-abcde   debugger      node        node/n1   busybox     Waiting                      5m
node-debugger-n2-fghij   debugger      node        node/n2   busybox     Terminated (exit 0)          47h
`, wantList: `list pods shop selector="" limit=500`},
		{name: "wide, all namespaces", all: true, output: "wide", want: `NAMESPACE   POD                      CONTAINER     KIND        TARGET    IMAGE       STATE                        AGE         PRIVILEGES                               BY
shop        aa-copy                  debugger-x1   copy        pod/app   busybox     Running                      9m          root                                     kubectl-debug
shop        app                      dbg           ephemeral   main      busybox     Running                      90s         cap:NET_ADMIN,cap:SYS_PTRACE             kubectl-debug
shop        app                      old           ephemeral   <none>    busybox     Terminated (exit 137)        120m        root                                     kubectl
shop        app                      new           ephemeral   <none>    missing:1   Waiting (ImagePullBackOff)   <unknown>   <none>                                   <none>
shop        node-debugger-n1-abcde   debugger      node        node/n1   busybox     Waiting                      5m          privileged,hostPID,hostNetwork,hostIPC   <none>
shop        node-debugger-n2-fghij   debugger      node        node/n2   busybox     Terminated (exit 0)          47h         <none>                                   <none>
`, wantList: `list pods  selector="" limit=500`},
		// The server selects: the pod the copy was made from is not listed, and the
		// copy's last container is taken for its debug container.
		{name: "selector", selector: DebugPodLabel + "=" + DebugPodLabelValue, want: `POD                      CONTAINER     KIND   TARGET    IMAGE     STATE     AGE
aa-copy                  debugger-x1   copy   pod/app   busybox   Running   9m
node-debugger-n1-abcde   debugger      node   node/n1   busybox   Waiting   5m
`, wantList: `list pods shop selector="app.kubernetes.io/managed-by=kubectl-debug" limit=500`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, client, out, errOut := newOptions(fixture()...)
			o.AllNamespaces, o.Output, o.Selector = tt.all, tt.output, tt.selector
			if err := o.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" || errOut.Len() > 0 {
				t.Errorf("table (-want +got):\n%s\nstderr: %q", diff, errOut)
			}
			if diff := cmp.Diff([]string{tt.wantList}, actions(client)); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCopyContainers(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main"}, {Name: "dbg"}, {Name: "sidecar"}}}}
	for _, tt := range []struct {
		name   string
		source []string
		want   []int
	}{
		{"source listed", []string{"main", "sidecar"}, []int{1}},
		{"source not listed", nil, []int{2}},
		{"a container of the source edited in place", []string{"main", "dbg", "sidecar"}, []int{2}},
	} {
		if diff := cmp.Diff(tt.want, copyContainers(pod, tt.source)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// Nothing found is said on standard error, as kubectl get says it; the documents are
// printed, empty.
func TestListEmpty(t *testing.T) {
	for _, tt := range []struct {
		all              bool
		output           string
		wantOut, wantErr string
	}{
		{wantErr: "No resources found in shop namespace.\n"},
		{all: true, wantErr: "No resources found\n"},
		{output: "name"},
		{output: "json", wantOut: "{\n    \"kind\": \"SessionList\",\n    \"apiVersion\": \"debugger.kubectl-debugger.github.io/v1alpha1\",\n    \"items\": []\n}\n"},
		{output: "yaml", wantOut: "apiVersion: debugger.kubectl-debugger.github.io/v1alpha1\nitems: []\nkind: SessionList\n"},
	} {
		o, _, out, errOut := newOptions(fixture()[5])
		o.AllNamespaces, o.Output = tt.all, tt.output
		if err := o.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.wantOut || errOut.String() != tt.wantErr {
			t.Errorf("-A=%v -o %q: stdout %q stderr %q, want %q and %q", tt.all, tt.output, out, errOut, tt.wantOut, tt.wantErr)
		}
	}
}

func TestListDocuments(t *testing.T) {
	o, _, out, _ := newOptions(fixture()...)
	o.Output = "name"
	if err := o.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantNames := "pod/aa-copy/debugger-x1\npod/app/dbg\npod/app/old\npod/app/new\npod/node-debugger-n1-abcde/debugger\npod/node-debugger-n2-fghij/debugger\n"
	if diff := cmp.Diff(wantNames, out.String()); diff != "" {
		t.Errorf("-o name (-want +got):\n%s", diff)
	}

	o, _, out, _ = newOptions(fixture()...)
	o.Output = "json"
	if err := o.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got List
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	started := ago(90 * time.Second)
	code := int32(137)
	if diff := cmp.Diff(ListKind, got.Kind); diff != "" {
		t.Errorf("kind: %s", diff)
	}
	if len(got.Items) != 6 {
		t.Fatalf("%d items, want 6", len(got.Items))
	}
	want := []Session{
		{Namespace: "shop", Pod: "app", Container: "dbg", Kind: KindEphemeral, Target: "main", Image: "busybox", State: "Running",
			Since: &started, Privileges: []string{"cap:NET_ADMIN", "cap:SYS_PTRACE"}, By: "kubectl-debug"},
		{Namespace: "shop", Pod: "app", Container: "old", Kind: KindEphemeral, Image: "busybox", State: "Terminated (exit 137)",
			ExitCode: &code, Since: ptr.To(ago(2 * time.Hour)), Privileges: []string{"root"}, By: "kubectl"},
	}
	if diff := cmp.Diff(want, got.Items[1:3]); diff != "" {
		t.Errorf("-o json items (-want +got):\n%s", diff)
	}
}

// Each page of the LIST is asked for with the continue token of the one before.
func TestListPages(t *testing.T) {
	objects := fixture()
	// The copy's debug container is not its last: only the pod it copies tells.
	copied, app := objects[0].(*corev1.Pod), objects[1].(*corev1.Pod)
	copied.Spec.Containers = append(copied.Spec.Containers, corev1.Container{Name: "sidecar"})
	app.Spec.Containers = append(app.Spec.Containers, corev1.Container{Name: "sidecar"})
	o, client, out, _ := newOptions()
	client.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		list := &corev1.PodList{}
		switch a.(k8stesting.ListActionImpl).GetListOptions().Continue {
		case "":
			list.Continue = "page-2"
			list.Items = []corev1.Pod{*copied}
		case "page-2":
			list.Items = []corev1.Pod{*app}
		default:
			return true, nil, fmt.Errorf("unexpected continue token")
		}
		return true, list, nil
	})
	o.Output = "name"
	if err := o.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The copy, on the first page, is told from the pod it copies, on the second.
	if diff := cmp.Diff("pod/aa-copy/debugger-x1\npod/app/dbg\npod/app/old\npod/app/new\n", out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var tokens []string
	for _, a := range client.Actions() {
		tokens = append(tokens, a.(k8stesting.ListActionImpl).GetListOptions().Continue)
	}
	if diff := cmp.Diff([]string{"", "page-2"}, tokens); diff != "" {
		t.Errorf("continue tokens (-want +got):\n%s", diff)
	}
}
