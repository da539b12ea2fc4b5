package debug

import (
	"regexp"
	"sync"
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
