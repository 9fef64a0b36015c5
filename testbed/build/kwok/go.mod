module spawn-doctor/testbed/kwok

go 1.24.0

// A separate module: kwok pins older k8s.io/* libraries than the control plane.
require sigs.k8s.io/kwok v0.7.0
