#!/usr/bin/env bash
# Prints which testbed processes run, their pids and ports, and the nodes' readiness.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

declare -A port=([etcd]=$PORT_ETCD [kube-apiserver]=$PORT_APISERVER [kube-scheduler]=$PORT_SCHEDULER
  [kube-controller-manager]=$PORT_CONTROLLER_MANAGER [kwok]=$PORT_KWOK [kubelet-sim]=$PORT_SIM)
running=0
echo "testbed in $TESTBED_DIR (port base $TESTBED_PORT_BASE)"
for c in "${COMPONENTS[@]}"; do
  f="$PIDS/$c.pid"
  if [[ -f "$f" ]] && pid_alive "$(cat "$f")"; then
    printf '  %-24s running  pid %-8s 127.0.0.1:%s\n' "$c" "$(cat "$f")" "${port[$c]}"
    running=$((running + 1))
  else
    printf '  %-24s stopped\n' "$c"
  fi
done
pods=0
for f in "$TESTBED_DIR"/pods/*/*.pid; do
  [[ -f "$f" ]] && pid_alive "$(cat "$f")" && pods=$((pods + 1))
done
echo "  pod processes (single-user/HTTP servers): $pods running"
if ((running == ${#COMPONENTS[@]})); then
  echo "  KUBECONFIG=$TESTBED_DIR/kubeconfig"
  if command -v kubectl >/dev/null; then
    kubectl --kubeconfig "$TESTBED_DIR/kubeconfig" get nodes --no-headers 2>/dev/null |
      awk '{print $2}' | sort | uniq -c | awk '{printf "  nodes %s: %s\n", $2, $1}'
  fi
  exit 0
fi
((running == 0)) && echo "  (not running: make testbed-up)"
exit 3
