package debug

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile"
)

// Identity holds the names the command gives what it owns outside the API: where named
// profiles live, and how the pods it creates say what they debug. kubectl uses its own
// (KubectlIdentity); a build that ships the command under another name passes its own to
// NewCmdDebugWithIdentity, so that it neither reads kubectl's files nor marks pods as
// kubectl would.
type Identity struct {
	// ProfilesEnv is the environment variable that names the directory of named profiles
	// (--custom=NAME).
	ProfilesEnv string
	// ProfilesDir is that directory when the variable is unset or empty, relative to the
	// user's home directory (to the working directory when there is no home directory).
	ProfilesDir string
	// TargetAnnotation is the annotation, on the pods the command creates for a session,
	// that names what they debug (pod/NAME or node/NAME), so that a leftover says where it
	// came from.
	TargetAnnotation string
}

// KubectlIdentity returns kubectl's names, which NewCmdDebug uses.
func KubectlIdentity() Identity {
	return Identity{
		ProfilesEnv:      "KUBECTL_DEBUG_PROFILES",
		ProfilesDir:      filepath.Join(".kube", "debug", "profiles"),
		TargetAnnotation: "kubectl.kubernetes.io/debug-target",
	}
}

// orKubectl fills the names id leaves empty with kubectl's.
func (id Identity) orKubectl() Identity {
	kubectl := KubectlIdentity()
	if id.ProfilesEnv == "" {
		id.ProfilesEnv = kubectl.ProfilesEnv
	}
	if id.ProfilesDir == "" {
		id.ProfilesDir = kubectl.ProfilesDir
	}
	if id.TargetAnnotation == "" {
		id.TargetAnnotation = kubectl.TargetAnnotation
	}
	return id
}

// NewCmdDebugWithIdentity returns the debug command under the names of id; a name left
// empty is kubectl's.
func NewCmdDebugWithIdentity(restClientGetter genericclioptions.RESTClientGetter, streams genericiooptions.IOStreams, id Identity) *cobra.Command {
	o := NewDebugOptions(streams)
	o.identity = id.orKubectl()
	return newCmdDebug(restClientGetter, o)
}

// profilesDir is the directory of named profiles: the one the identity's variable names,
// else the identity's directory below the user's home directory.
func (o *DebugOptions) profilesDir() string {
	return customprofile.Dir(os.Getenv(o.identity.ProfilesEnv), o.identity.ProfilesDir)
}
