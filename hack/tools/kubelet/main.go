// Command kubelet is the upstream node agent, built from the Go module at the version the
// project targets, so a real node needs no prebuilt binaries (hack/build-node.sh).
package main

import (
	"context"
	"os"

	"k8s.io/component-base/cli"
	// Client-go's request metrics and the version metric, which the kubelet reports.
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kubelet/app"
)

func main() {
	os.Exit(cli.Run(app.NewKubeletCommand(context.Background())))
}
