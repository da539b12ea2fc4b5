package debug

import (
	"slices"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

// imageSamples are references on both sides of every rule of the grammar: host, port,
// IPv6, path separators, tag length, digest algorithm and length, case.
var imageSamples = []string{
	"", "busybox", "busybox:1.36", "BusyBox", "busybox:", ":tag", "busybox:-tag", "busybox:_tag",
	"library/busybox:latest", "a//b", "a/b/", "/a", "-busybox", "busybox-", "a--b", "a__b", "a___b",
	"a..b", "a._b", "registry.k8s.io/e2e-test-images/agnhost:2.45", "localhost:5000/tools/debug",
	"localhost:/x", "registry.example.com:port/x", "Registry.Example.COM/x", "-host.com/x", "host-.com/x",
	"[::1]:5000/debug:v1", "[::1]/x", "[fe80::1%eth0]/x", "[]/x", "my_repo/my-image__x:tag.1",
	"busy box", "busybox\n", "busybox:" + strings.Repeat("t", 128), "busybox:" + strings.Repeat("t", 129),
	"busybox@sha256:abc", "busybox@sha256:" + strings.Repeat("0123456789abcdef", 4),
	"busybox:1.36@sha256:" + strings.Repeat("0123456789abcdef", 4), "busybox@sha256:" + strings.Repeat("A", 32),
	"busybox@sha256:" + strings.Repeat("a", 31), "busybox@sha256+b64:" + strings.Repeat("f", 32),
	"busybox@1sha:" + strings.Repeat("f", 32), "busybox@:" + strings.Repeat("f", 32), "busybox@sha256:" + strings.Repeat("g", 32),
	"a/" + strings.Repeat("b", 300), "ex\u00e4mple.com/x", "x:1:2", "x@y@z",
}

// The image check is the grammar of the distribution project's reference package, which
// upstream kubectl debug matches images against (reference.ReferenceRegexp), compiled
// on first use: both must give the same verdict on every input. There is no deliberate
// difference.
func TestImageReferenceMatchesDistribution(t *testing.T) {
	for _, image := range imageSamples {
		if ours, theirs := validImageReference(image), reference.ReferenceRegexp.MatchString(image); ours != theirs {
			t.Errorf("%q: ours %v, reference.ReferenceRegexp %v", image, ours, theirs)
		}
	}
}

// FuzzImageReferenceMatchesDistribution: no input gets a different verdict from the
// distribution project's grammar.
func FuzzImageReferenceMatchesDistribution(f *testing.F) {
	for _, image := range imageSamples {
		f.Add(image)
	}
	f.Fuzz(func(t *testing.T, image string) {
		if ours, theirs := validImageReference(image), reference.ReferenceRegexp.MatchString(image); ours != theirs {
			t.Errorf("%q: ours %v, reference.ReferenceRegexp %v", image, ours, theirs)
		}
	})
}

// The reason the grammar is not the library's, measured: importing the package compiles
// its regular expressions in its init on every run. The benchmark's pair shows what one
// check costs each way, the first one included.
func BenchmarkImageReference(b *testing.B) {
	const image = "registry.k8s.io/e2e-test-images/agnhost:2.45@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			validImageReference(image)
		}
	})
	b.Run("distribution", func(b *testing.B) {
		for b.Loop() {
			reference.ReferenceRegexp.MatchString(image)
		}
	})
}

// A node reports its images by their normalized names, the distribution project's
// ParseNormalizedNamed with TagNameOnly: ours must give the same name for every valid
// reference.
func TestNormalizedImageMatchesDistribution(t *testing.T) {
	samples := append(slices.Clone(imageSamples), "nginx", "nginx:1.27", "library/nginx", "docker.io/nginx",
		"index.docker.io/nginx:1", "team/tool:v2", "localhost/tool", "localhost:5000/tool@sha256:"+strings.Repeat("ab", 32),
		"registry.k8s.io/pause:3.10", "quay.io/a/b/c:d")
	for _, image := range samples {
		named, err := reference.ParseNormalizedNamed(image)
		if err != nil {
			continue
		}
		if ours, theirs := normalizedImage(image), reference.TagNameOnly(named).String(); ours != theirs {
			t.Errorf("%q: ours %q, distribution %q", image, ours, theirs)
		}
	}
}
