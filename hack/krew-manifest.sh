#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Writes hack/krew/debugger.yaml, the krew manifest of a release, from
# hack/krew/debugger.yaml.tmpl: builds the plugin for each platform into
# _output/dist/kubectl-debugger_VERSION_OS_ARCH.tar.gz (with the sessions and cp plugins,
# the completion script, the README and the licence) and puts each archive's URI and checksum in the manifest.
#
#   hack/krew-manifest.sh VERSION        (e.g. v0.1.0; make krew-manifest VERSION=...)
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$KD_ROOT"

version=${1:?usage: hack/krew-manifest.sh VERSION}
platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)
dist=$KD_ROOT/_output/dist
rm -rf "$dist"
mkdir -p "$dist"
entries=""
for platform in "${platforms[@]}"; do
  os=${platform%/*} arch=${platform#*/}
  bin=kubectl-debugger sessions=kubectl-debugger-sessions cp=kubectl-debugger-cp
  [[ $os == windows ]] && bin+=.exe && sessions+=.exe && cp+=.exe
  stage=$dist/$os-$arch
  mkdir -p "$stage"
  kd::log "building $platform"
  GOOS=$os GOARCH=$arch CGO_ENABLED=0 make --no-print-directory build BIN="$stage/$bin" SESSIONS_BIN="$stage/$sessions" CP_BIN="$stage/$cp" VERSION="$version" >/dev/null
  cp cmd/kubectl-debugger/kubectl_complete-debugger cmd/kubectl-debugger-cp/kubectl_complete-debugger-cp README.md LICENSE "$stage/"
  archive=kubectl-debugger_${version}_${os}_${arch}.tar.gz
  tar -C "$stage" -czf "$dist/$archive" "$bin" "$sessions" "$cp" kubectl_complete-debugger kubectl_complete-debugger-cp README.md LICENSE
  sum=$(sha256sum "$dist/$archive" | cut -d' ' -f1)
  entries+="  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: https://github.com/kubectl-debugger/kubectl-debugger/releases/download/$version/$archive
    sha256: $sum
    files:
    - from: $bin
      to: .
    - from: $sessions
      to: .
    - from: $cp
      to: .
    - from: README.md
      to: .
    - from: LICENSE
      to: .
    bin: $bin
"
done
manifest=$KD_ROOT/hack/krew/debugger.yaml
{
  sed -e "s|{{VERSION}}|$version|" -e '/{{PLATFORMS}}/,$d' hack/krew/debugger.yaml.tmpl
  printf '%s' "$entries"
} >"$manifest"
kd::log "wrote $manifest for $version"
