#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds and fetches what the real node (KD_NODE=real, hack/lib/node.sh) runs, into the
# version-keyed cache, and nothing when it is all there already:
# - the kubelet, built from the k8s.io/kubernetes module like kube-apiserver, into $KD_BIN;
# - containerd, runc, the CNI plugins, busybox and umoci: Debian packages fetched with
#   apt-get download and unpacked with dpkg-deb -x into $KD_CACHE/node-debs-KEY/root, KEY
#   a hash of their versions (listed in its versions file); nothing is installed;
# - the pause program (hack/node/pause) and two OCI image archives made with umoci from
#   it and from busybox-static: the sandbox image and busybox, in images-KEY/ beside.
# Only a real node asks for it, so the default (kwok) suite never pays for it. A cold
# kubelet build takes about 2 to 5 minutes on 2 cores, the rest seconds.
set -o errexit -o nounset -o pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

mkdir -p "$KD_BIN"
if [[ ! -x $KD_BIN/kubelet ]]; then
  kd::log "building kubelet $KD_KUBE_VERSION (a cold build takes minutes)"
  started=$SECONDS
  # A private scratch name: two clones building at once must not share one.
  tmp=$(mktemp "$KD_BIN/.kubelet.XXXXXX")
  # Static like the control plane (hack/build-server.sh), so its compile reuses theirs.
  (cd "$KD_ROOT/hack/tools" && CGO_ENABLED=0 go build -ldflags "$(kd::node::ldflags)" -o "$tmp" ./kubelet)
  mv "$tmp" "$KD_BIN/kubelet"
  kd::log "kubelet built in $((SECONDS - started))s"
fi

# The key is what apt would fetch today; with empty package lists, apt knows nothing yet.
if ! kd::node::deb_versions >/dev/null && command -v apt-get >/dev/null; then
  kd::log "apt knows none or not all of ${KD_NODE_DEBS[*]}: apt-get update"
  apt-get update -qq >/dev/null || true
fi
if ! versions=$(kd::node::deb_versions); then
  if deb_dir=$(kd::node::deb_dir); then
    kd::log "apt cannot tell the versions of ${KD_NODE_DEBS[*]}; using the cached $deb_dir"
  else
    kd::log "cannot fetch ${KD_NODE_DEBS[*]}: apt has no candidate for them (no Debian package lists?)"
    exit 1
  fi
else
  deb_dir=$(kd::node::deb_dir)
fi

if [[ ! -f $deb_dir/.complete ]]; then
  kd::log "fetching $(tr '\n' ' ' <<<"$versions")from Debian"
  mkdir -p "$KD_CACHE"
  tmp=$(mktemp -d "$KD_CACHE/.node-debs.XXXXXX")
  mapfile -t pinned <<<"$versions"
  # As root apt would hand the download to its unprivileged user, who cannot write here.
  if ! (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "${pinned[@]}" >"$tmp/apt.log" 2>&1); then
    kd::log "apt-get download failed: $(grep -E '^(E|Err)' "$tmp/apt.log" | head -n 1)"
    rm -rf "$tmp"
    exit 1
  fi
  for deb in "$tmp"/*.deb; do
    dpkg-deb -x "$deb" "$tmp/root"
  done
  rm -f "$tmp"/*.deb "$tmp/apt.log"
  echo "$versions" >"$tmp/versions"
  touch "$tmp/.complete"
  # Another clone may have finished the same key meanwhile: either copy is good.
  mv -T "$tmp" "$deb_dir" 2>/dev/null || rm -rf "$tmp"
fi

images_dir=$(kd::node::images_dir "$deb_dir")
if [[ ! -f $images_dir/.complete ]]; then
  kd::log "building the pause and busybox images"
  tmp=$(mktemp -d "$deb_dir/.images.XXXXXX")
  umoci=$deb_dir/root/usr/bin/umoci
  (cd "$KD_ROOT" && CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags '-s -w' -o "$tmp/pause" ./hack/node/pause)

  # Reproducible layers and configs: the same inputs give the same image IDs.
  created=2000-01-01T00:00:00Z
  # kd::node::oci_image NAME TAG CONFIG_ARGS...: an image of the rootfs in
  # $tmp/NAME.rootfs, as the OCI archive $tmp/NAME.tar with the tag TAG.
  kd::node::oci_image() {
    local name=$1 tag=$2
    shift 2
    "$umoci" init --layout "$tmp/$name.oci"
    "$umoci" new --image "$tmp/$name.oci:$tag"
    "$umoci" insert --image "$tmp/$name.oci:$tag" --history.created "$created" \
      --history.created_by "hack/build-node.sh" "$tmp/$name.rootfs" /
    "$umoci" config --no-history --image "$tmp/$name.oci:$tag" --created "$created" \
      --author kubectl-debugger "$@"
    "$umoci" gc --layout "$tmp/$name.oci"
  }

  mkdir -p "$tmp/pause.rootfs"
  cp "$tmp/pause" "$tmp/pause.rootfs/pause"
  kd::node::oci_image pause "${KD_NODE_PAUSE_IMAGE##*:}" --config.entrypoint /pause

  # busybox as the upstream image has it: the static binary, a link per applet, root and
  # nobody, a sticky /tmp.
  rootfs=$tmp/busybox.rootfs
  mkdir -p "$rootfs"/{bin,etc,home,root,tmp,var,usr/bin,usr/sbin,sbin}
  cp "$deb_dir/root/bin/busybox" "$rootfs/bin/busybox"
  while read -r applet; do
    [[ $applet == bin/busybox || -e $rootfs/$applet ]] && continue
    mkdir -p "$rootfs/$(dirname "$applet")"
    ln -s /bin/busybox "$rootfs/$applet"
  done < <("$rootfs/bin/busybox" --list-full)
  chmod 1777 "$rootfs/tmp"
  chmod 700 "$rootfs/root"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$rootfs/etc/group"
  kd::node::oci_image busybox "${KD_NODE_BUSYBOX_TAGS[0]}" --config.cmd sh \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  for tag in "${KD_NODE_BUSYBOX_TAGS[@]:1}"; do
    "$umoci" tag --image "$tmp/busybox.oci:${KD_NODE_BUSYBOX_TAGS[0]}" "$tag"
  done

  for name in pause busybox; do
    tar -C "$tmp/$name.oci" -cf "$tmp/$name.tar" .
    rm -rf "${tmp:?}/$name.oci" "${tmp:?}/$name.rootfs"
  done
  touch "$tmp/.complete"
  mv -T "$tmp" "$images_dir" 2>/dev/null || rm -rf "$tmp"
fi
kd::log "node ready in $KD_BIN/kubelet and $deb_dir"
