package debug

import (
	"regexp"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
)

// The image reference grammar container runtimes accept (the distribution project's):
// [host[:port]/]path[:tag][@digest], the path in lower case. It is compiled on first use,
// not at start-up: compiling it, as the distribution package does in its init, costs
// a few milliseconds on every run.
var imageReference = sync.OnceValue(func() *regexp.Regexp {
	const (
		alphanumeric    = `[a-z0-9]+`
		separator       = `(?:[._]|__|[-]+)`
		domainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
		ipv6            = `\[(?:[a-fA-F0-9:]+)\]`
		host            = `(?:` + domainComponent + `(?:\.` + domainComponent + `)*|` + ipv6 + `)`
		domainAndPort   = host + `(?::[0-9]+)?`
		pathComponent   = alphanumeric + `(?:` + separator + alphanumeric + `)*`
		name            = `(?:` + domainAndPort + `/)?` + pathComponent + `(?:/` + pathComponent + `)*`
		tag             = `[\w][\w.-]{0,127}`
		digest          = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`
	)
	return regexp.MustCompile(`^` + name + `(?::` + tag + `)?(?:@` + digest + `)?$`)
})

// validImageReference tells whether image is a well-formed image reference.
func validImageReference(image string) bool {
	return imageReference().MatchString(image)
}

// normalizedImage is image as a node reports the images it holds: the registry and, on
// Docker Hub, the "library/" of official images made explicit, and ":latest" added when
// there is neither tag nor digest. It expects a valid reference.
func normalizedImage(image string) string {
	name, rest := image, ""
	if at := strings.IndexByte(name, '@'); at >= 0 {
		name, rest = name[:at], name[at:]
	}
	if colon := strings.LastIndexByte(name, ':'); colon > strings.LastIndexByte(name, '/') {
		name, rest = name[:colon], name[colon:]+rest
	}
	domain, path := "docker.io", name
	// The first component is a registry when it cannot be a path component: it has a
	// dot, a port or is localhost (the distribution project's rule), or upper case.
	if slash := strings.IndexByte(name, '/'); slash >= 0 {
		first := name[:slash]
		if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
			domain, path = first, name[slash+1:]
		}
	}
	if domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	if rest == "" {
		rest = ":latest"
	}
	return domain + "/" + path + rest
}

// defaultPullPolicy is the pull policy the API server gives a container that sets none:
// Always for an image without a tag or tagged latest, else IfNotPresent; a digest pins
// the image, so it is never pulled again.
func defaultPullPolicy(image string) corev1.PullPolicy {
	n := normalizedImage(image)
	if !strings.Contains(n, "@") && strings.HasSuffix(n, ":latest") {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}
