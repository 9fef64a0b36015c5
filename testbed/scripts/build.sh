#!/usr/bin/env bash
# Builds the testbed's binaries (kube-apiserver, kube-scheduler, kube-controller-manager,
# etcd, kwok) from the pinned versions in testbed/versions.env into a cache outside the
# repository. A second call with unchanged pins is a no-op.
# Prints the bin directory on stdout with --print-bin-dir.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../versions.env
source "$here/versions.env"

go_version="$(go env GOVERSION)"
key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_${go_version}"
cache_root="${SPAWN_DOCTOR_CACHE:-$HOME/.cache/spawn-doctor}/testbed"
out="$cache_root/$key"
bin="$out/bin"
binaries=(kube-apiserver kube-scheduler kube-controller-manager etcd kwok)

if [[ "${1:-}" == "--print-bin-dir" ]]; then
  echo "$bin"
  exit 0
fi

complete() {
  [[ -f "$out/.complete" ]] || return 1
  for b in "${binaries[@]}"; do [[ -x "$bin/$b" ]] || return 1; done
}

if complete; then
  echo "testbed: binaries up to date in $bin (key $key)"
  exit 0
fi

# The wrapper modules must agree with versions.env, or the key would lie.
grep -q "k8s.io/kubernetes ${K8S_VERSION}\$" "$here/build/k8s/go.mod" ||
  { echo "testbed: build/k8s/go.mod does not require k8s.io/kubernetes ${K8S_VERSION}" >&2; exit 1; }
grep -q "go.etcd.io/etcd/server/v3 ${ETCD_VERSION}\$" "$here/build/k8s/go.mod" ||
  { echo "testbed: build/k8s/go.mod does not require etcd ${ETCD_VERSION}" >&2; exit 1; }
grep -q "sigs.k8s.io/kwok ${KWOK_VERSION}\$" "$here/build/kwok/go.mod" ||
  { echo "testbed: build/kwok/go.mod does not require kwok ${KWOK_VERSION}" >&2; exit 1; }

command -v go >/dev/null || { echo "testbed: go is not installed; it is needed to build the control plane" >&2; exit 1; }
mkdir -p "$out"
tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log="$out/build.log"
: >"$log"
start=$(date +%s)

# Shows one line per 25 downloaded modules and per 100 compiled packages (go build -v names
# each package it compiles); compiler errors are shown as they come.
progress() {
  local step="$1" n=0 d=0 line
  while IFS= read -r line; do
    echo "$line" >>"$log"
    case "$line" in
    "go: downloading "*)
      d=$((d + 1))
      if ((d % 25 == 0)); then echo "  [$step] $d modules downloaded"; fi
      ;;
    "#"* | *.go:* | "go: "* | *" error"* | *"cannot "*) echo "  [$step] $line" ;;
    *)
      n=$((n + 1))
      if ((n % 100 == 0)); then echo "  [$step] $n packages compiled (last: $line)"; fi
      ;;
    esac
  done
  echo "  [$step] done: $n packages compiled, $d modules downloaded"
}

gitmeta() { # major minor
  local v="${1#v}"
  echo "${v%%.*}" "$(echo "$v" | cut -d. -f2)"
}
read -r major minor < <(gitmeta "$K8S_VERSION")
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=${K8S_VERSION} -X $pkg.gitMajor=${major} -X $pkg.gitMinor=${minor}"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=${build_date}"
done
etcd_ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=${ETCD_VERSION}"
kwok_ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${K8S_VERSION}"

# go.mod and go.sum are complete: a build never rewrites them.
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
echo "testbed: cold build of ${binaries[*]} (key $key); log: $log"

echo "testbed: [1/3] kube-apiserver, kube-scheduler, kube-controller-manager ${K8S_VERSION}"
(cd "$here/build/k8s" && go build -v -trimpath -ldflags="$k8s_ldflags" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kube-controller-manager 2>&1) | progress k8s
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "testbed: Kubernetes build failed; see $log" >&2; exit 1; }

echo "testbed: [2/3] etcd ${ETCD_VERSION}"
(cd "$here/build/k8s" && go build -v -trimpath -ldflags="$etcd_ldflags" -o "$tmp/etcd" ./cmd/etcd 2>&1) | progress etcd
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "testbed: etcd build failed; see $log" >&2; exit 1; }

echo "testbed: [3/3] kwok ${KWOK_VERSION}"
(cd "$here/build/kwok" && go build -v -trimpath -ldflags="$kwok_ldflags" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok 2>&1) | progress kwok
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "testbed: kwok build failed; see $log" >&2; exit 1; }

rm -rf "$bin"
mv "$tmp" "$bin"
trap - EXIT
took=$(($(date +%s) - start))
echo "$took" >"$out/build-seconds"
touch "$out/.complete"
echo "testbed: built in ${took}s into $bin"
du -sh "$bin" | sed 's/^/testbed: binaries: /'
