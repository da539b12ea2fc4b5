// Package targetproc finds, from inside a debug container, the process of the container
// it targets, whose /proc/PID/root is that container's filesystem.
package targetproc

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// Find is a sh fragment that sets pid to the target's main process, or prints why there
// is none and exits with 1; it sets no other variable but ones starting with tp_. It reads $target, the target container's name, and $prefix,
// which starts its message, and $id, the target's container ID or empty (ContainerID).
//
// With --target the debug container joins the target's PID namespace, so the target's
// processes are visible beside its own. They are told apart by /proc/PID/cgroup, which
// every user may read (/proc/PID/ns/* and /proc/PID/root need ptrace access to the
// process, which a debug container of another user lacks, and the caller must get far
// enough to say so): every process of the debug container shows its cgroup, any other
// process another. The lowest PID of the others is the target's first process (PID 1
// of the target's own namespace). In a pod that shares one PID namespace between its
// containers, the sandbox's pause process and the other containers are visible too;
// there the target's cgroup is the one naming its container ID.
const Find = `tp_self=$(cat /proc/self/cgroup)
pid=
for tp_dir in /proc/[0-9]*; do
  tp_cg=$(cat "$tp_dir/cgroup" 2>/dev/null) || continue
  [ "$tp_cg" != "$tp_self" ] || continue
  case $tp_cg in *"$id"*) ;; *) continue ;; esac
  tp_pid=${tp_dir#/proc/}
  [ -n "$pid" ] && [ "$pid" -le "$tp_pid" ] || pid=$tp_pid
done
if [ -z "$pid" ]; then
  echo "${prefix}no process of container \"$target\" is visible: it is not running, or the container runtime does not support --target" >&2
  exit 1
fi
`

// ContainerID is the $id of Find for the container called name of pod: its container
// ID, as the pod's status gives it, when the pod's containers share one PID namespace;
// else empty, as the target's own PID namespace holds only its processes.
func ContainerID(pod *corev1.Pod, name string) string {
	if pod.Spec.ShareProcessNamespace == nil || !*pod.Spec.ShareProcessNamespace {
		return ""
	}
	status := podutil.Status(pod, name)
	if status == nil {
		return ""
	}
	// runtime://ID; the cgroup names the ID alone.
	_, id, _ := strings.Cut(status.ContainerID, "://")
	return id
}
