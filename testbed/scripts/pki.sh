#!/usr/bin/env bash
# Creates the testbed's CA, serving and client certificates and the service-account key pair
# in the given directory. Existing files are kept, so a restart keeps old kubeconfigs valid.
set -euo pipefail
dir="$1"
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1 || { echo "testbed: openssl failed: $*" >&2; "$@"; exit 1; }; }

if [[ ! -f ca.crt ]]; then
  quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
    -subj "/CN=spawn-doctor-testbed-ca"
fi
[[ -f sa.key ]] || quiet openssl genrsa -out sa.key 2048
[[ -f sa.pub ]] || quiet openssl rsa -in sa.key -pubout -out sa.pub

# cert NAME SUBJECT EXTENSIONS
cert() {
  local name="$1" subj="$2" ext="$3"
  [[ -f "$name.crt" ]] && return 0
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj"
  printf '%s\n' "$ext" >"$name.ext"
  quiet openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" \
    -days 3650 -extfile "$name.ext"
  rm -f "$name.csr" "$name.ext"
}
client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin "/O=system:masters/CN=kubernetes-admin" "$client"
# The API server's client certificate for aggregated APIs (request-header authentication).
cert front-proxy-client "/CN=front-proxy-client" "$client"
cert kube-scheduler "/CN=system:kube-scheduler" "$client"
cert kube-controller-manager "/CN=system:kube-controller-manager" "$client"
# kwok and the simulated kubelet act for every node at once, so they cannot use a
# system:node:<name> identity; they get cluster-admin rights instead.
cert kwok "/O=system:masters/CN=kwok-controller" "$client"
cert kubelet-sim "/O=system:masters/CN=spawn-doctor-testbed-kubelet" "$client"
chmod 600 ./*.key
