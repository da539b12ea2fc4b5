// Command kube-controller-manager is the upstream controller manager, built from the Go
// module at the version the project targets: namespaces of the local cluster get their
// service account and root CA, and workloads get pods.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
