package debug

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// A debug session whose terminal went away leaves its ephemeral container running in
// the pod, and it cannot be removed. -c NAME without --image finds it again: the
// command attaches to it (or follows its output with --logs) instead of adding one.

// validateReattach checks an ephemeral debug with -c and no --image: only a session on
// the existing container, and nothing that would describe a new one.
func (o *DebugOptions) validateReattach() error {
	if !o.Attach && !o.Logs {
		return fmt.Errorf("-c %s without --image attaches again to that running debug container: add -i (or --attach, or --logs); give --image to start a new one", o.Container)
	}
	describing := []struct {
		given bool
		flag  string
	}{
		{len(o.args) > 0, "a command after --"},
		{len(o.CustomFiles) > 0, "--custom"},
		{o.TargetContainer != "", "--target"},
		{o.RunAs != "", "--run-as"},
		{o.ShareVolumes != "", "--share-volumes"},
		{o.PullPolicy != "", "--image-pull-policy"},
		{len(o.env.vars) > 0, "--env"},
		{o.dryRun != dryRunNone, "--dry-run"},
		{o.Check, "--check"},
	}
	for _, d := range describing {
		if d.given {
			return fmt.Errorf("-c %s without --image attaches again to an existing debug container, which %s cannot change: drop it, or give --image to start a new container", o.Container, d.flag)
		}
	}
	return nil
}

// planReattach plans a session on the existing debug container pl.container of r's pod:
// nothing to send, only the container to attach to, which must be an ephemeral
// container that can still run and, for -i, takes input.
func (pl *planner) planReattach(r resolved) (*plan, error) {
	source := r.pod
	var found *corev1.EphemeralContainer
	for i := range source.Spec.EphemeralContainers {
		if source.Spec.EphemeralContainers[i].Name == pl.container {
			found = &source.Spec.EphemeralContainers[i]
		}
	}
	switch {
	case found == nil && podutil.FindInSpec(source, pl.container) != nil:
		return nil, fmt.Errorf("container %q of pod %q is not a debug container: without --image, -c names an ephemeral container to attach to again (kubectl attach attaches to the others)", pl.container, source.Name)
	case found == nil:
		return nil, fmt.Errorf("pod %q has no debug container %q: give --image to start one", source.Name, pl.container)
	case pl.interactive && !found.Stdin:
		return nil, fmt.Errorf("debug container %q of pod %q was started without -i, so it takes no input: drop -i to follow its output", pl.container, source.Name)
	}
	for _, st := range source.Status.EphemeralContainerStatuses {
		if st.Name == pl.container && st.State.Terminated != nil {
			return nil, fmt.Errorf("debug container %q of pod %q has ended (exit code %d), and an ephemeral container cannot be restarted: give --image to start a new one", pl.container, source.Name, st.State.Terminated.ExitCode)
		}
	}
	return &plan{
		target: r.name, mode: ModeEphemeral, source: source, container: pl.container, reattach: true,
		notices: append(r.notices, fmt.Sprintf("Attaching again to debug container %s.", pl.container)),
	}, nil
}
