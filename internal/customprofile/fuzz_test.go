package customprofile

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// fuzzName gives the fuzzer control over the grammar a document is read in.
func fuzzName(ext uint8) string {
	return []string{"f.json", "f.yaml", "f"}[int(ext)%3]
}

// FuzzDecodeCustomProfile: no input makes decoding panic, and every accepted input is
// either a container patch or a profile document.
func FuzzDecodeCustomProfile(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(uint8(0), []byte(seed))
		f.Add(uint8(1), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, ext uint8, data []byte) {
		p, err := Parse(fuzzName(ext), data)
		if err != nil {
			return
		}
		if p.containerPatch == nil && p.podPatch == nil && len(p.tolerations) == 0 {
			t.Fatalf("accepted %q but kept nothing to apply", data)
		}
	})
}

// FuzzApplyCustomProfile: an accepted profile applies to the debug container wherever it
// lives (an ephemeral container, a container of a copy, a node pod's only container)
// without panicking, and the container keeps the name, image and command the flags gave
// it; whatever the predefined profile set before does not matter to that.
func FuzzApplyCustomProfile(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(uint8(1), uint8(1), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, ext, shape uint8, data []byte) {
		p, err := Parse(fuzzName(ext), data)
		if err != nil {
			return
		}
		debug := corev1.Container{Name: "dbg", Image: "busybox:1.36", Command: []string{"sh"}}
		if shape%2 == 1 {
			debug.SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}}}
		}
		pods := map[string]*corev1.Pod{"copy": targetPod(), "node": {ObjectMeta: metav1.ObjectMeta{Name: "node-debugger"}}}
		pods["copy"].Spec.Containers = append(pods["copy"].Spec.Containers, debug)
		pods["node"].Spec.Containers = []corev1.Container{debug}
		if p.CheckEphemeral() == nil {
			pods["ephemeral"] = targetPod()
			pods["ephemeral"].Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon(debug)}}
		}
		for mode, pod := range pods {
			if err := Apply(pod, "dbg", []*Profile{p}); err != nil {
				continue
			}
			dc, _ := podutil.Find(pod, "dbg")
			if dc == nil {
				t.Fatalf("%s: debug container is gone after %q", mode, data)
			}
			if dc.Image != "busybox:1.36" || !slices.Equal(dc.Command, []string{"sh"}) {
				t.Fatalf("%s: debug container changed to image %q command %q by %q", mode, dc.Image, dc.Command, data)
			}
		}
	})
}

// fuzzSeeds start the fuzzers at the interesting corners; testdata/fuzz holds more.
var fuzzSeeds = []string{
	`{"env": [{"name": "A", "value": "1"}]}`,
	"securityContext:\n  capabilities:\n    add: [NET_ADMIN]\n  runAsUser: 0\n",
	`{"env": [{"$patch": "replace"}, {"name": "Z"}], "securityContext": {"$patch": "replace"}}`,
	`{"volumeMounts": [{"name": "v", "mountPath": "/v"}], "stdin": false, "tty": null}`,
	cataloguetest.DocHead + "container: {env: [{name: A}]}\npod:\n  metadata: {labels: {a: b}}\n  spec:\n    tolerations: [{operator: Exists}]\n    volumes: [{name: v, emptyDir: {}}]\n",
	cataloguetest.DocHead + "pod: {spec: {hostPID: true, $setElementOrder/volumes: [{name: v}]}}\n",
	// Near misses the checks refuse: each once crashed the merge or emptied the pod.
	"$setElementOrder/args: [{x: 1}]\n",
	cataloguetest.DocHead + "pod: {spec: {$setElementOrder/tolerations: [{operator: Exists}]}}\n",
	cataloguetest.DocHead + "pod: {spec: null, metadata: {labels: {$patch: replace}}}\n",
	"--- {env: [{name: A, value: \"1\"}]}\n",
}
