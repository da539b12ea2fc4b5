package debug

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// profiledContainers keeps, over one run, the ephemeral debug containers as the
// profiles left them, one per distinct input. The profiles, custom ones above all, cost
// far more than the rest of a plan, and a fan-out over thousands of pods mostly gives
// them the same input: their result is computed once and shared by every plan. A nil
// *profiledContainers keeps nothing and runs the profiles for every plan.
type profiledContainers struct {
	byInput map[profileInput]profiledContainer
}

// profileInput is what the profiled container of an ephemeral debug depends on beyond
// the flags, which are the same for every target of a run (see profileDebugContainer).
// The container's name is not part of it: no profile may change the name, so it is set
// on the shared result.
type profileInput struct {
	// user and group are what --run-as resolved to for the pod; -1 for none.
	user, group int64
	// mounts are the volume mounts --share-volumes borrowed from the pod, as JSON.
	mounts string
	// target is the container targeted, which --target=auto chooses per pod.
	target string
	// command is the command --target-fs gives the debug container, as JSON: it names
	// the target's container ID in a pod whose containers share one PID namespace.
	command string
}

// profiledContainer is a debug container as the profiles left it, with the warnings they
// raised.
type profiledContainer struct {
	container corev1.EphemeralContainer
	warnings  []string
}

func newProfiledContainers() *profiledContainers {
	return &profiledContainers{byInput: map[profileInput]profiledContainer{}}
}

// inputOf is the profile input of a pod whose debug container runs as user (a resolved
// --run-as, or none), borrows mounts, targets the container called target and runs
// command, the one --target-fs gives it (nil without).
func inputOf(user runAs, mounts []corev1.VolumeMount, target string, command []string) (profileInput, error) {
	in := profileInput{user: -1, group: -1, target: target}
	if user.user != nil {
		in.user = *user.user
	}
	if user.group != nil {
		in.group = *user.group
	}
	if len(mounts) > 0 {
		encoded, err := json.Marshal(mounts)
		if err != nil {
			return profileInput{}, fmt.Errorf("encoding the shared volume mounts: %w", err)
		}
		in.mounts = string(encoded)
	}
	if len(command) > 0 {
		encoded, err := json.Marshal(command)
		if err != nil {
			return profileInput{}, fmt.Errorf("encoding the debug command: %w", err)
		}
		in.command = string(encoded)
	}
	return in, nil
}

// get returns the profiled debug container called name for in, calling profile when
// none is kept for in yet; a failure is returned and not kept. What it returns shares
// its slices and pointers with every other result for the same input, so it is read
// only.
func (c *profiledContainers) get(name string, in profileInput, profile func() (profiledContainer, error)) (profiledContainer, error) {
	if c == nil {
		return profile()
	}
	kept, ok := c.byInput[in]
	if !ok {
		var err error
		if kept, err = profile(); err != nil {
			return profiledContainer{}, err
		}
		c.byInput[in] = kept
	}
	kept.container.Name = name
	return kept, nil
}
