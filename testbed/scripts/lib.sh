# Shared settings of the testbed scripts (sourced, not run).
# shellcheck shell=bash
TESTBED_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TESTBED_DIR="${TESTBED_DIR:-$TESTBED_ROOT/.testbed}"
case "$TESTBED_DIR" in /*) ;; *) TESTBED_DIR="$PWD/$TESTBED_DIR" ;; esac
TESTBED_PORT_BASE="${TESTBED_PORT_BASE:-17440}"
PORT_ETCD=$((TESTBED_PORT_BASE + 0))
PORT_ETCD_PEER=$((TESTBED_PORT_BASE + 1))
PORT_APISERVER=$((TESTBED_PORT_BASE + 2))
PORT_SCHEDULER=$((TESTBED_PORT_BASE + 3))
PORT_CONTROLLER_MANAGER=$((TESTBED_PORT_BASE + 4))
PORT_KWOK=$((TESTBED_PORT_BASE + 5))
PORT_SIM=$((TESTBED_PORT_BASE + 6))
# Pod IPs: 127.1.0.0/16 for the default instance; another port base gets its own /16 of
# 127/8 so that two instances' servers never collide.
if [[ "$TESTBED_PORT_BASE" == 17440 ]]; then POD_NET="${TESTBED_POD_NET:-127.1}"; else POD_NET="${TESTBED_POD_NET:-127.$((2 + TESTBED_PORT_BASE % 250))}"; fi
PIDS="$TESTBED_DIR/pids"
LOGS="$TESTBED_DIR/logs"
PKI="$TESTBED_DIR/pki"
# Start order; down stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-scheduler kube-controller-manager kwok kubelet-sim)

tb_log() { echo "testbed: $*"; }
tb_die() { echo "testbed: $*" >&2; exit 1; }

# pid_alive PID: true when the process exists and is not a zombie.
pid_alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

# Every pid the testbed started: the components, then the sim's per-pod processes.
all_pidfiles() {
  local f
  for f in "$PIDS"/*.pid "$TESTBED_DIR"/pods/*/*.pid; do [[ -f "$f" ]] && echo "$f"; done
  return 0
}
