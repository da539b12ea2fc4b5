package pluginmain

import (
	"path/filepath"

	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// Identity is the plugin's names for what the debug command owns outside the API, in
// place of kubectl's: the plugin's users keep their profile directory and variable, and
// pods it creates are not taken for kubectl's. The sessions plugin finds the pods by
// the same annotation.
var Identity = debugcmd.Identity{
	ProfilesEnv:      "KUBECTL_DEBUGGER_PROFILES",
	ProfilesDir:      filepath.Join(".kube", "debug-profiles"),
	TargetAnnotation: "kubectl-debugger/target",
}
