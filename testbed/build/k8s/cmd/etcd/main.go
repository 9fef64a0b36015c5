// Command etcd is a thin entry point for the etcd server library, so the
// testbed can build etcd with the same Go toolchain as the Kubernetes binaries.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
