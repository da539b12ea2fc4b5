// Command kube-scheduler is the upstream scheduler, built from the Go module at the version
// the project targets, so pods of the local cluster need no nodeName.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	os.Exit(cli.Run(app.NewSchedulerCommand()))
}
