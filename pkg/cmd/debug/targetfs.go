package debug

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/targetproc"
)

// targetFSShell is the debug image's shell, which runs targetFSScript. Every image a
// debug container is commonly made of has one; the command is the image's own words
// otherwise.
const targetFSShell = "sh"

// targetFSDefaultCommand is what --target-fs runs in the target's filesystem when no
// command follows --: the image's default command is unknown before it is pulled, and
// the session is meant to be a shell.
const targetFSDefaultCommand = "sh"

// targetFSScript runs the debug command in the filesystem of the container it targets.
// Its arguments are the target's name, the target's container ID (only for a pod whose
// containers share one PID namespace, else empty) and the command.
//
// The target's process is the one targetproc.Find finds; its filesystem is
// /proc/PID/root. A process that may chroot (CAP_SYS_CHROOT, which only
// root holds in practice) makes it the command's /: the script stays outside as its
// parent, so /proc/$$/root keeps leading to the debug image, whose tools are appended to
// PATH through it. Unlike a link written into the target's root, this works on a
// read-only one. Links to absolute paths (busybox applets are often links to
// /bin/busybox) would resolve in the target's root, so a directory of links to the tools'
// real files is made in the debug container's own /tmp when it can be. Otherwise the
// command starts in the target's root directory with TARGET_ROOT set, and one line says
// why and what would allow a chroot. A refused /proc/PID/root is a user mismatch (or
// missing capabilities) and is reported as one, with the flag that fixes it.
const targetFSScript = `target=$1 id=$2 prefix="--target-fs: "
shift 2
[ $# -gt 0 ] || set -- ` + targetFSDefaultCommand + `
` + targetproc.Find + `field() { while read -r k v1 v2 _; do [ "$k" != "$2" ] || echo "${v2:-$v1}"; done <"$1"; }
root=/proc/$pid/root
if ! cd "$root" 2>/dev/null; then
  uid=$(field /proc/self/status Uid:) tuid=$(field "/proc/$pid/status" Uid:)
  gid=$(field /proc/self/status Gid:) tgid=$(field "/proc/$pid/status" Gid:)
  if [ "$uid" != "$tuid" ]; then
    echo "--target-fs: cannot enter the filesystem of container \"$target\": the debug container runs as UID $uid and the target as UID $tuid; --run-as=target runs the debug container as the target's user" >&2
  elif [ "$gid" != "$tgid" ]; then
    echo "--target-fs: cannot enter the filesystem of container \"$target\": the debug container runs as GID $gid and the target as GID $tgid; --run-as=target runs the debug container as the target's user and group" >&2
  else
    echo "--target-fs: cannot enter the filesystem of container \"$target\" though both run as UID $uid and GID $gid: the target holds capabilities the debug container lacks; a profile that adds CAP_SYS_PTRACE (general, sysadmin) may enter it" >&2
  fi
  exit 1
fi
caps=$(field /proc/self/status CapEff:)
if ! command -v chroot >/dev/null; then
  why="the debug image has no chroot"
elif [ $((0x${caps:-0} >> 18 & 1)) = 1 ]; then
  tools=
  if links=$(mktemp -d 2>/dev/null); then
    for bin in $(echo "$PATH" | tr : ' '); do
      for f in "$bin"/*; do
        [ -x "$f" ] && [ ! -e "$links/${f##*/}" ] || continue
        ln -s "/proc/$$/root$(readlink -f "$f")" "$links/${f##*/}" 2>/dev/null
      done
    done
    tools=:/proc/$$/root$links
  else
    for bin in $(echo "$PATH" | tr : ' '); do tools=$tools:/proc/$$/root$bin; done
  fi
  trap : INT QUIT
  cd /
  TARGET_ROOT=/ PATH=$PATH$tools chroot "$root" "$@"
  exit
elif [ "$(field /proc/self/status Uid:)" = 0 ]; then
  why="the debug container lacks CAP_SYS_CHROOT"
else
  why="the debug container does not run as root"
fi
echo "--target-fs: the command starts in container \"$target\"'s root directory, \$TARGET_ROOT ($root), and / is the debug image's: $why; a profile that runs as root and keeps CAP_SYS_CHROOT (general, sysadmin) makes the target's root /" >&2
export TARGET_ROOT="$root"
exec "$@"
`

// targetFSCommand is the debug container's command under --target-fs: targetFSScript run
// by the image's shell with the target container's name, its container ID when the pod
// shares one PID namespace, and the command (args, or a shell).
func targetFSCommand(pod *corev1.Pod, target string, args []string) []string {
	return append([]string{targetFSShell, "-c", targetFSScript, "target-fs", target, targetproc.ContainerID(pod, target)}, args...)
}
