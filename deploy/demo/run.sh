#!/usr/bin/env bash
# `make demo` (after `npm ci` and the build): the testbed, the pinned JupyterHub, spawn-doctor as
# its managed service, on http://127.0.0.1:${DEMO_PORT:-8000}. Ctrl-C stops everything it started.
#   DEMO_PORT (8000; the next three ports are used too), DEMO_STATE_DIR (.demo), DEMO_PASSWORD,
#   DEMO_HUB (6|5|4), DEMO_VERBOSE=1 (hub log on the terminal too), TESTBED_DIR/TESTBED_PORT_BASE.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

port="${DEMO_PORT:-8000}"
state="${DEMO_STATE_DIR:-$root/.demo}"
case "$state" in /*) ;; *) state="$root/$state" ;; esac
password="${DEMO_PASSWORD:-spawn-doctor}"
hub="${DEMO_HUB:-6}"
testbed_dir="${TESTBED_DIR:-$root/.testbed}"
case "$testbed_dir" in /*) ;; *) testbed_dir="$root/$testbed_dir" ;; esac
export TESTBED_DIR="$testbed_dir"
# marks every process of this demo, to find the ones that run in sessions of their own
instance="${DEMO_INSTANCE:-demo-$$-$(date +%s)}"
unset DEMO_INSTANCE
say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

for p in "$port" $((port + 1)) $((port + 2)) $((port + 3)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port $p on 127.0.0.1 is in use (the demo uses DEMO_PORT=$port and the next three); set DEMO_PORT"
  fi
done

started_testbed=0
hub_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  echo
  if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then
    say "stopping JupyterHub (it stops the notebook pods, the proxy and spawn-doctor)"
    kill -TERM -- "-$hub_pid" 2>/dev/null || kill -TERM "$hub_pid" 2>/dev/null || true
    for _ in $(seq 120); do kill -0 "$hub_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$hub_pid" 2>/dev/null || true
  fi
  # the proxy and the service run in sessions of their own: find them by our marker (a caller
  # that gave the marker carries it too: never signal this script's own ancestors)
  local left="" pid ancestors=" " p=$$
  while [ "${p:-0}" -gt 1 ]; do ancestors+="$p "; p="$(ps -o ppid= -p "$p" | tr -d ' ')"; done
  for pid in $(grep -lsz "^DEMO_INSTANCE=$instance\$" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
    [[ "$ancestors" == *" $pid "* ]] || left+="$pid "
  done
  if [ -n "$left" ]; then
    kill -TERM $left 2>/dev/null || true
    sleep 2
    kill -KILL $left 2>/dev/null || true
  fi
  if [ "$started_testbed" -eq 1 ]; then
    say "stopping the testbed it started"
    make --no-print-directory testbed-down || true
  fi
  say "stopped"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. the testbed (control plane + simulated nodes); the first build compiles Kubernetes (long)
if bash testbed/scripts/status.sh >/dev/null 2>&1; then
  say "testbed already running in $TESTBED_DIR: using it (and leaving it running)"
else
  say "starting the testbed in $TESTBED_DIR (the first build compiles Kubernetes: 10+ minutes, progress below)"
  started_testbed=1
  make --no-print-directory testbed-up
fi
export KUBECONFIG="$TESTBED_DIR/kubeconfig"
[ -f "$KUBECONFIG" ] || die "the testbed wrote no kubeconfig at $KUBECONFIG"

# 2. the pinned Python environment (JupyterHub, KubeSpawner, JupyterLab)
say "Python environment for JupyterHub $hub.x (created once, then cached)"
venv="$(bash deploy/demo/venv.sh --hub "$hub" --print-path)"

# 3. the admin token for scripts, kept across runs
mkdir -p "$state"
token_file="$state/api-token"
if [ ! -s "$token_file" ]; then
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$token_file")
fi

# 4. JupyterHub (its own session, so Ctrl-C reaches only this script, which stops it in order)
log="$state/hub.log"
say "starting JupyterHub $hub.x with spawn-doctor; log: $log"
DEMO_PORT="$port" DEMO_STATE_DIR="$state" DEMO_PASSWORD="$password" DEMO_INSTANCE="$instance" \
  DEMO_ADMIN_TOKEN="$(cat "$token_file")" SPAWN_DOCTOR_ENABLED="${SPAWN_DOCTOR_ENABLED:-1}" \
  SPAWN_DOCTOR_NODE="$(command -v node)" PYTHONUNBUFFERED=1 \
  setsid "$venv/bin/jupyterhub" -f deploy/demo/jupyterhub_config.py >"$log" 2>&1 </dev/null &
hub_pid=$!
if [ "${DEMO_VERBOSE:-0}" = 1 ]; then tail -n +1 -f "$log" --pid "$hub_pid" & fi

for _ in $(seq 180); do
  kill -0 "$hub_pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "JupyterHub exited; see $log"; }
  curl -sf --max-time 2 "http://127.0.0.1:$port/hub/api/" >/dev/null && break
  sleep 0.5
done
curl -sf --max-time 2 "http://127.0.0.1:$port/hub/api/" >/dev/null || die "JupyterHub did not answer in 90 s; see $log"

cat <<EOF

  spawn-doctor demo: http://127.0.0.1:$port
  Log in with any user name and the password: $password   (user "admin" is an admin)
  API token of "admin" for scripts: $token_file
    curl -H "Authorization: token \$(cat $token_file)" -X POST -d '{"image": "..."}' \\
      http://127.0.0.1:$port/hub/api/users/NAME/servers/SERVER

  What to enter in the form (every other field as it is) and what happens:
$("$venv/bin/python" deploy/demo/spawn_form.py --table | sed 's/^/  /')

  Ctrl-C stops the hub, spawn-doctor$( [ "$started_testbed" -eq 1 ] && echo " and the testbed").

EOF
say "ready"
wait "$hub_pid" || true
say "JupyterHub exited; see $log"
