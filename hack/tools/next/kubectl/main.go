// Command kubectl is upstream kubectl of the next Kubernetes release, the reference for
// what that release changes in kubectl debug (Windows node debugging in 1.38). It is
// built by hack/build-reference-next.sh and is never part of make test.
package main

import (
	"k8s.io/component-base/cli"
	kubectl "k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
}
