package debug

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// runAs is --run-as: the user of the target container, or one given.
type runAs struct {
	// fromTarget takes the user of the container being debugged.
	fromTarget bool
	// user and group are the IDs given; group is nil when only a user is.
	user, group *int64
}

// set tells whether --run-as was given.
func (r runAs) set() bool { return r.fromTarget || r.user != nil }

// parseRunAs reads --run-as: target, root, UID or UID:GID.
func parseRunAs(value string) (runAs, error) {
	switch value {
	case "":
		return runAs{}, nil
	case "target":
		return runAs{fromTarget: true}, nil
	case "root":
		return runAs{user: ptr.To[int64](0), group: ptr.To[int64](0)}, nil
	}
	uid, gid, hasGroup := strings.Cut(value, ":")
	r := runAs{}
	var err error
	if r.user, err = parseID(uid); err == nil && hasGroup {
		r.group, err = parseID(gid)
	}
	if err != nil {
		return runAs{}, fmt.Errorf(`invalid --run-as %q: want "target", "root", UID or UID:GID, IDs from 0 to %d`, value, maxID)
	}
	return r, nil
}

// maxID is the largest user or group ID the API accepts.
const maxID = 1<<31 - 1

func parseID(s string) (*int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 || id > maxID {
		return nil, fmt.Errorf("invalid ID %q", s)
	}
	return &id, nil
}

// userSource is the container whose user --run-as=target takes, and where the user was
// found.
type userSource struct {
	container    string
	user, group  *int64
	fromPodLevel bool
}

// targetUser finds the effective user of the container a debug session targets: the
// --target container, else the one -c edits in a copy, else the pod's only container;
// its security context first, then the pod's.
func (pl *planner) targetUser(pod *corev1.Pod) (userSource, error) {
	name := pl.targetContainer
	if name == "" && pl.copyTo != "" && podutil.FindInSpec(pod, pl.container) != nil {
		name = pl.container
	}
	if name == "" {
		if len(pod.Spec.Containers) != 1 {
			how := "name the one whose user to take with --target"
			if pl.copyTo != "" {
				how = "give its user with --run-as=UID[:GID] (or -c to debug that container itself)"
			}
			return userSource{}, fmt.Errorf("--run-as=target: pod %q has %d containers: %s", pod.Name, len(pod.Spec.Containers), how)
		}
		name = pod.Spec.Containers[0].Name
	}
	c := podutil.FindInSpec(pod, name)
	if c == nil {
		return userSource{}, fmt.Errorf("--run-as=target: container %q not found in pod %q", name, pod.Name)
	}
	src := userSource{container: name}
	if sc := c.SecurityContext; sc != nil {
		src.user, src.group = sc.RunAsUser, sc.RunAsGroup
	}
	if psc := pod.Spec.SecurityContext; psc != nil {
		if src.user == nil && psc.RunAsUser != nil {
			src.user, src.fromPodLevel = psc.RunAsUser, true
		}
		if src.group == nil {
			src.group = psc.RunAsGroup
		}
	}
	if src.user == nil {
		return userSource{}, fmt.Errorf("--run-as=target: container %q of pod %q runs as its image's user, which the API does not show: give --run-as=UID[:GID]", name, pod.Name)
	}
	return src, nil
}

// resolveRunAs is the user and group --run-as gives the debug container of a session on
// source: those given, or with --run-as=target those of the container it targets.
func (pl *planner) resolveRunAs(source *corev1.Pod) (runAs, error) {
	if !pl.runAs.fromTarget {
		return pl.runAs, nil
	}
	src, err := pl.targetUser(source)
	if err != nil {
		return runAs{}, err
	}
	return runAs{user: src.user, group: src.group}, nil
}

// apply sets the debug container's user as a resolved --run-as says, after the
// predefined profile and before the custom profiles, which still win. A non-root user
// also gets runAsNonRoot, so the restricted profile's check holds; root gets
// runAsNonRoot false, or a pod that requires non-root would keep it from starting.
func (r runAs) apply(debug *corev1.Container) {
	sc := securityContext(debug)
	sc.RunAsUser = ptr.To(*r.user)
	if r.group != nil {
		sc.RunAsGroup = ptr.To(*r.group)
	}
	sc.RunAsNonRoot = ptr.To(*r.user != 0)
}

// restrictedHint is the notice for a restricted debug container that the kubelet
// would refuse to start when its image runs as root: the target container has its own
// non-root user, which the debug container does not inherit, and nothing else sets one.
func (pl *planner) restrictedHint(source *corev1.Pod, debug *corev1.Container) string {
	if pl.profileName != ProfileRestricted || pl.runAs.set() || debug == nil {
		return ""
	}
	if debug.SecurityContext != nil && debug.SecurityContext.RunAsUser != nil {
		return ""
	}
	if psc := source.Spec.SecurityContext; psc != nil && psc.RunAsUser != nil {
		// The pod's user applies to the debug container too.
		return ""
	}
	src, err := pl.targetUser(source)
	if err != nil || *src.user == 0 {
		return ""
	}
	return fmt.Sprintf("--profile=restricted requires a non-root user, and container %q runs as %d while the debug container sets none: if its image runs as root it will not start; --run-as=target runs it as %d.", src.container, *src.user, *src.user)
}
