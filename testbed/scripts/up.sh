#!/usr/bin/env bash
# Starts the testbed: etcd, kube-apiserver, kube-scheduler, kube-controller-manager, kwok and
# the simulated kubelet, all on 127.0.0.1, with state, certificates and logs under $TESTBED_DIR.
# Writes $TESTBED_DIR/kubeconfig (admin) and creates the nodes of $TESTBED_NODES.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
start_time=$(date +%s%N)

BIN="$(bash "$TESTBED_ROOT/testbed/scripts/build.sh" --print-bin-dir)"
for b in etcd kube-apiserver kube-scheduler kube-controller-manager kwok; do
  [[ -x "$BIN/$b" ]] || tb_die "missing $BIN/$b: run 'make testbed-build' first"
done
command -v openssl >/dev/null || tb_die "openssl is needed to make the testbed's certificates"

nodes_arg="${TESTBED_NODES:-default}"
case "$nodes_arg" in
*/* | *.yaml) nodes_file="$nodes_arg" ;;
*) nodes_file="$TESTBED_ROOT/testbed/nodes/$nodes_arg.yaml" ;;
esac
[[ -f "$nodes_file" ]] || tb_die "node set '$nodes_arg' not found (looked for $nodes_file)"

# Already fully running: nothing to do. Partly running (a component died): start afresh.
alive_count=0
for c in "${COMPONENTS[@]}"; do
  [[ -f "$PIDS/$c.pid" ]] && pid_alive "$(cat "$PIDS/$c.pid")" && alive_count=$((alive_count + 1))
done
if ((alive_count == ${#COMPONENTS[@]})); then
  tb_log "already running in $TESTBED_DIR (make testbed-status; make testbed-down to stop)"
  exit 0
elif ((alive_count > 0)); then
  tb_log "only $alive_count of ${#COMPONENTS[@]} components run in $TESTBED_DIR; restarting it"
  bash "$TESTBED_ROOT/testbed/scripts/down.sh"
fi
for port in $PORT_ETCD $PORT_ETCD_PEER $PORT_APISERVER $PORT_SCHEDULER $PORT_CONTROLLER_MANAGER $PORT_KWOK $PORT_SIM; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    tb_die "port $port on 127.0.0.1 is in use; set TESTBED_PORT_BASE to another base (now $TESTBED_PORT_BASE)"
  fi
done

# Fresh state each time: the testbed is disposable and tests expect a clean cluster.
rm -rf "$TESTBED_DIR/etcd" "$TESTBED_DIR/pods" "$PIDS" "$LOGS" "$TESTBED_DIR/sim"
mkdir -p "$PIDS" "$LOGS" "$PKI" "$TESTBED_DIR/pods" "$TESTBED_DIR/sim"

bash "$TESTBED_ROOT/testbed/scripts/pki.sh" "$PKI"

# kubeconfig NAME CERT KEY: a client kubeconfig with embedded credentials.
kubeconfig() {
  local file="$TESTBED_DIR/$1.kubeconfig"
  [[ "$1" == admin ]] && file="$TESTBED_DIR/kubeconfig"
  cat >"$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: testbed
  cluster:
    server: https://127.0.0.1:$PORT_APISERVER
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $1
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$1.crt")
    client-key-data: $(base64 -w0 <"$PKI/$1.key")
contexts:
- name: testbed
  context:
    cluster: testbed
    user: $1
current-context: testbed
KC
  chmod 600 "$file"
}
for c in admin kube-scheduler kube-controller-manager kwok kubelet-sim; do kubeconfig "$c"; done

# start NAME CMD...: runs CMD in its own session (so down can stop the whole group), logs to logs/NAME.log.
start() {
  local name="$1"
  shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

# wait_for NAME SECONDS CMD...: polls CMD until it succeeds; fails with the log's tail.
wait_for() {
  local name="$1" limit="$2"
  shift 2
  local deadline=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$(cat "$PIDS/$name.pid")"; then
      tail -n 30 "$LOGS/$name.log" >&2 || true
      tb_die "$name exited during start-up; log: $LOGS/$name.log"
    fi
    if (($(date +%s) > deadline)); then
      tail -n 30 "$LOGS/$name.log" >&2 || true
      tb_die "$name not healthy after ${limit}s; log: $LOGS/$name.log"
    fi
    sleep 0.2
  done
  tb_log "$name ready ($(((($(date +%s%N) - start_time) / 1000000)))ms since start)"
}
healthy_insecure() { curl -sfk --max-time 2 "$1" | grep -q '^ok$'; }
healthy_api() {
  curl -sf --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$PORT_APISERVER/readyz" | grep -q '^ok$'
}

tb_log "starting in $TESTBED_DIR (ports $TESTBED_PORT_BASE-$PORT_SIM, nodes: $nodes_file)"
start etcd "$BIN/etcd" --name testbed --data-dir "$TESTBED_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$PORT_ETCD" --advertise-client-urls "http://127.0.0.1:$PORT_ETCD" \
  --listen-peer-urls "http://127.0.0.1:$PORT_ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PORT_ETCD_PEER" \
  --initial-cluster "testbed=http://127.0.0.1:$PORT_ETCD_PEER" --unsafe-no-fsync --log-level warn
wait_for etcd 30 bash -c "curl -sf --max-time 2 http://127.0.0.1:$PORT_ETCD/health | grep -q '\"health\":\"true\"'"

start kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$PORT_ETCD" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$PORT_APISERVER" \
  --endpoint-reconciler-type none \
  --cert-dir "$PKI/apiserver-generated" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --requestheader-client-ca-file "$PKI/ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
  --authorization-mode Node,RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 \
  --event-ttl 2h \
  --allow-privileged \
  --profiling=false
wait_for kube-apiserver 60 healthy_api

# The rest starts together: scheduler, controller-manager, kwok, the simulated kubelet, and
# the nodes (created now; Ready once kwok runs).
start kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig "$TESTBED_DIR/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig "$TESTBED_DIR/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig "$TESTBED_DIR/kube-scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$PORT_SCHEDULER" --leader-elect=false --profiling=false
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$TESTBED_DIR/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig "$TESTBED_DIR/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig "$TESTBED_DIR/kube-controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$PORT_CONTROLLER_MANAGER" --leader-elect=false --profiling=false \
  --use-service-account-credentials \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --controllers '*'
start kwok "$BIN/kwok" \
  --config "$TESTBED_ROOT/testbed/kwok.yaml" \
  --kubeconfig "$TESTBED_DIR/kwok.kubeconfig" \
  --manage-nodes-with-label-selector spawn-doctor.testbed/simulated=true \
  --node-lease-duration-seconds 40 \
  --server-address "127.0.0.1:$PORT_KWOK"
node --import tsx "$TESTBED_ROOT/testbed/sim/nodes.ts" --kubeconfig "$TESTBED_DIR/kubeconfig" --nodes "$nodes_file" \
  --wait-ready >"$LOGS/nodes.log" 2>&1 &
nodes_pid=$!
bash "$TESTBED_ROOT/testbed/scripts/sim.sh" &
sim_pid=$!
wait_for kube-scheduler 60 healthy_insecure "https://127.0.0.1:$PORT_SCHEDULER/healthz"
wait_for kube-controller-manager 60 healthy_insecure "https://127.0.0.1:$PORT_CONTROLLER_MANAGER/healthz"
wait_for kwok 60 healthy_insecure "http://127.0.0.1:$PORT_KWOK/healthz"
wait "$sim_pid" || tb_die "the simulated kubelet did not start"
tb_log "kubelet-sim ready ($(((($(date +%s%N) - start_time) / 1000000)))ms since start)"
wait "$nodes_pid" || { tail -n 20 "$LOGS/nodes.log" >&2; tb_die "creating the nodes or waiting for them to be Ready failed"; }
tb_log "$(paste -sd ';' "$LOGS/nodes.log" | sed 's/;/; /g')"
tb_log "up in $(((($(date +%s%N) - start_time) / 1000000)))ms; KUBECONFIG=$TESTBED_DIR/kubeconfig"
