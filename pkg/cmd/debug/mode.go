package debug

// Mode is how a debug session reaches its target. It is decided once, from the target's
// kind and --copy-to, and every later step switches on it instead of guessing.
type Mode int

const (
	// ModeEphemeral adds an ephemeral container to a running pod.
	ModeEphemeral Mode = iota + 1
	// ModeCopy creates a modified copy of a pod.
	ModeCopy
	// ModeNode creates a pod on a node, in the host's namespaces.
	ModeNode
)

// String names the mode as the user knows it.
func (m Mode) String() string {
	switch m {
	case ModeEphemeral:
		return "ephemeral container"
	case ModeCopy:
		return "pod copy"
	case ModeNode:
		return "node"
	}
	return "unknown"
}
