package debug

import "testing"

func TestValidImageReference(t *testing.T) {
	valid := []string{
		"busybox", "busybox:1.36", "library/busybox:latest", "registry.k8s.io/e2e-test-images/agnhost:2.45",
		"localhost:5000/tools/debug", "[::1]:5000/debug:v1", "my_repo/my-image__x:tag.1",
		"busybox@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"busybox:1.36@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	}
	invalid := []string{
		"", "BusyBox", "busybox:", ":tag", "busybox@sha256:abc", "a//b", "-busybox", "busybox:-tag",
		"registry.example.com:port/x", "busy box", "busybox:" + string(make([]byte, 129)),
	}
	for _, image := range valid {
		if !validImageReference(image) {
			t.Errorf("%q refused, want accepted", image)
		}
	}
	for _, image := range invalid {
		if validImageReference(image) {
			t.Errorf("%q accepted, want refused", image)
		}
	}
}
