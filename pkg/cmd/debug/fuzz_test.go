package debug

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
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
		c, err := parseCustomProfile(fuzzName(ext), data)
		if err != nil {
			return
		}
		if c.containerPatch == nil && c.podPatch == nil && len(c.tolerations) == 0 {
			t.Fatalf("accepted %q but kept nothing to apply", data)
		}
	})
}

// FuzzApplyCustomProfile: an accepted profile applies in every mode without panicking,
// and the debug container keeps the name, image and command the flags gave it.
func FuzzApplyCustomProfile(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(uint8(1), uint8(1), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, ext, profileIndex uint8, data []byte) {
		c, err := parseCustomProfile(fuzzName(ext), data)
		if err != nil {
			return
		}
		p, err := newProfile(profileNames[int(profileIndex)%len(profileNames)], KeepFlags{})
		if err != nil {
			t.Fatal(err)
		}
		s := &containerSpec{Image: "busybox:1.36", Args: []string{"sh"}, CopyTo: "copy", Profile: p, Customs: []*customProfile{c}}
		check := func(mode string, pod *corev1.Pod, name string, err error) {
			if err != nil {
				return
			}
			dc := findContainer(pod, name)
			if dc == nil {
				t.Fatalf("%s: debug container %q is gone after %q", mode, name, data)
			}
			if dc.Image != "busybox:1.36" || !slices.Equal(dc.Command, []string{"sh"}) {
				t.Fatalf("%s: debug container changed to image %q command %q by %q", mode, dc.Image, dc.Command, data)
			}
		}
		if c.checkEphemeralFields() == nil {
			pod, err := buildEphemeral(appPod(), s, "dbg")
			check("ephemeral", pod, "dbg", err)
		}
		pod, name, err := buildCopy(appPod(), s, "dbg")
		check("copy", pod, name, err)
		pod, err = buildNodePod(nodeA(), s, "node-debugger-node-a-x", "debugger", "test")
		check("node", pod, "debugger", err)
	})
}

// fuzzSeeds start the fuzzers at the interesting corners; testdata/fuzz holds more.
var fuzzSeeds = []string{
	`{"env": [{"name": "A", "value": "1"}]}`,
	"securityContext:\n  capabilities:\n    add: [NET_ADMIN]\n  runAsUser: 0\n",
	`{"env": [{"$patch": "replace"}, {"name": "Z"}], "securityContext": {"$patch": "replace"}}`,
	`{"volumeMounts": [{"name": "v", "mountPath": "/v"}], "stdin": false, "tty": null}`,
	docHead + "container: {env: [{name: A}]}\npod:\n  metadata: {labels: {a: b}}\n  spec:\n    tolerations: [{operator: Exists}]\n    volumes: [{name: v, emptyDir: {}}]\n",
	docHead + "pod: {spec: {hostPID: true, $setElementOrder/volumes: [{name: v}]}}\n",
	// Near misses the checks refuse: each once crashed the merge or emptied the pod.
	"$setElementOrder/args: [{x: 1}]\n",
	docHead + "pod: {spec: {$setElementOrder/tolerations: [{operator: Exists}]}}\n",
	docHead + "pod: {spec: null, metadata: {labels: {$patch: replace}}}\n",
	"--- {env: [{name: A, value: \"1\"}]}\n",
}
