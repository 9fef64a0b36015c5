#!/usr/bin/env bash
# Stops every process the testbed started (components and the simulated kubelet's per-pod
# servers), by the pids it recorded, and checks that none is left.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ! -d "$TESTBED_DIR" ]]; then
  tb_log "nothing to stop ($TESTBED_DIR does not exist)"
  exit 0
fi

# stop PIDFILE...: SIGTERM to each process group, then SIGKILL after 15 s.
stop() {
  local f pid alive=() deadline
  for f in "$@"; do
    pid="$(cat "$f" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    if pid_alive "$pid"; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      alive+=("$pid")
    fi
  done
  ((${#alive[@]})) || return 0
  deadline=$(($(date +%s) + 15))
  while (($(date +%s) < deadline)); do
    local left=()
    for pid in "${alive[@]}"; do pid_alive "$pid" && left+=("$pid"); done
    ((${#left[@]})) || return 0
    sleep 0.2
  done
  for pid in "${alive[@]}"; do
    if pid_alive "$pid"; then
      tb_log "pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  sleep 0.5
}

# The simulated kubelet first (it stops its pods' servers), then the pods' leftovers, then the
# control plane in reverse start order.
ordered=()
for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do ordered+=("${COMPONENTS[$i]}"); done
stop "$PIDS/kubelet-sim.pid"
mapfile -t pod_pids < <(for f in "$TESTBED_DIR"/pods/*/*.pid; do [[ -f "$f" ]] && echo "$f"; done)
((${#pod_pids[@]})) && stop "${pod_pids[@]}"
for c in "${ordered[@]}"; do [[ "$c" == kubelet-sim ]] || stop "$PIDS/$c.pid"; done

left=()
while IFS= read -r f; do
  pid="$(cat "$f" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid"; then left+=("$(basename "$f" .pid)=$pid"); fi
done < <(all_pidfiles)
if ((${#left[@]})); then
  tb_die "still running after down: ${left[*]}"
fi
rm -f "$PIDS"/*.pid "$TESTBED_DIR"/pods/*/*.pid
tb_log "stopped; nothing left running from $TESTBED_DIR"
