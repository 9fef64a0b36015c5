# Testbed: a real local control plane (etcd, kube-apiserver, kube-scheduler,
# kube-controller-manager), kwok for the nodes and a simulated kubelet. Included by the
# root Makefile. TESTBED_DIR (default .testbed), TESTBED_PORT_BASE (default 17440) and
# TESTBED_NODES (default, large, or a path) select an instance and its node set.
.PHONY: testbed-build testbed-up testbed-down testbed-status

testbed-build:
	@bash testbed/scripts/build.sh

testbed-up: testbed-build deps
	@bash testbed/scripts/up.sh

testbed-down:
	@bash testbed/scripts/down.sh

testbed-status:
	@bash testbed/scripts/status.sh
