#!/usr/bin/env bash
# (Re)starts the simulated kubelet of a running testbed. A restart re-adopts running pods:
# their single-user servers keep running and their status is picked up again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -f "$TESTBED_DIR/kubelet-sim.kubeconfig" ]] || tb_die "no testbed in $TESTBED_DIR (make testbed-up)"
pidfile="$PIDS/kubelet-sim.pid"
if [[ -f "$pidfile" ]] && pid_alive "$(cat "$pidfile")"; then
  pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
  pid_alive "$pid" && kill -KILL "$pid"
fi
cd "$TESTBED_ROOT"
setsid node --import tsx testbed/sim/main.ts \
  --kubeconfig "$TESTBED_DIR/kubelet-sim.kubeconfig" \
  --catalog "${TESTBED_CATALOG:-$TESTBED_ROOT/testbed/catalog.yaml}" \
  --state-dir "$TESTBED_DIR" --health-port "$PORT_SIM" --pod-net "$POD_NET" >>"$LOGS/kubelet-sim.log" 2>&1 </dev/null &
echo $! >"$pidfile"
for _ in $(seq 300); do
  if curl -sf --max-time 2 "http://127.0.0.1:$PORT_SIM/healthz" | grep -q '^ok$'; then exit 0; fi
  pid_alive "$(cat "$pidfile")" || { tail -n 20 "$LOGS/kubelet-sim.log" >&2; tb_die "kubelet-sim exited; log: $LOGS/kubelet-sim.log"; }
  sleep 0.2
done
tb_die "kubelet-sim not healthy after 60s; log: $LOGS/kubelet-sim.log"
