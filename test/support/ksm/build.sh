#!/usr/bin/env bash
# Builds kube-state-metrics from its Go module into a cache outside the repository and prints the
# binary's path. Exit 0: built (or cached). Exit 3: the module cannot be had here (the Go module
# proxy does not serve it); the Prometheus tests then load series of its exact format with promtool
# instead, and say so. Called by test/integration/advice/prometheus.test.ts and bench/advice/run.ts.
set -euo pipefail
KSM_VERSION="${KSM_VERSION:-v2.17.0}"
cache="${SPAWN_DOCTOR_CACHE:-$HOME/.cache/spawn-doctor}/kube-state-metrics/${KSM_VERSION}"
bin="$cache/kube-state-metrics"
marker="$cache/.unavailable"

if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "ksm: go is not installed" >&2; exit 3; }
mkdir -p "$cache"
# A refusal is final for the day: do not ask the proxy again on every test run.
if [[ -f "$marker" ]] && [[ $(( $(date +%s) - $(stat -c %Y "$marker") )) -lt 86400 ]]; then
  echo "ksm: not available (cached answer from $(date -r "$marker" -u +%FT%TZ)): $(head -c 300 "$marker")" >&2
  exit 3
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export GOFLAGS="-mod=mod" CGO_ENABLED=0
go mod init spawn-doctor/ksm-build >/dev/null 2>&1
if ! out=$(nice -n 10 go get "k8s.io/kube-state-metrics/v2@${KSM_VERSION}" 2>&1); then
  # Keep the refusal, minus any URL (no registry addresses in logs that may be shared).
  printf '%s\n' "$out" | tail -3 | sed -E 's|https?://[^ ]+|(module proxy)|g' >"$marker"
  echo "ksm: cannot fetch k8s.io/kube-state-metrics/v2@${KSM_VERSION}: $(tail -1 "$marker")" >&2
  exit 3
fi
echo "ksm: building kube-state-metrics ${KSM_VERSION} (nice, a few minutes)" >&2
nice -n 10 go build -trimpath -ldflags "-s -w" -o "$bin.tmp" k8s.io/kube-state-metrics/v2
mv "$bin.tmp" "$bin"
echo "$bin"
