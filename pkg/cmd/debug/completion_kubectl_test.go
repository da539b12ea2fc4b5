package debug

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/kubernetes/fake"
	restfake "k8s.io/client-go/rest/fake"
	cmdtesting "k8s.io/kubectl/pkg/cmd/testing"
	"k8s.io/kubectl/pkg/scheme"
	"k8s.io/kubectl/pkg/util/completion"
)

// kubectlFactory is a kubectl factory in namespace test whose every read answers obj,
// as kubectl's completion helpers get it.
func kubectlFactory(t *testing.T, obj runtime.Object) *cmdtesting.TestFactory {
	t.Helper()
	tf := cmdtesting.NewTestFactory().WithNamespace("test")
	t.Cleanup(tf.Cleanup)
	codec := scheme.Codecs.LegacyCodec(scheme.Scheme.PrioritizedVersionsAllGroups()...)
	tf.UnstructuredClient = &restfake.RESTClient{
		NegotiatedSerializer: resource.UnstructuredPlusDefaultContentConfig().NegotiatedSerializer,
		Client: restfake.CreateHTTPClient(func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: cmdtesting.DefaultHeader(), Body: cmdtesting.ObjBody(codec, obj)}, nil
		}),
	}
	return tf
}

// The completion of pod names and of a pod's containers gives what kubectl's completion
// helpers (k8s.io/kubectl/pkg/util/completion) give for the same objects and the same
// word. Deliberate differences, left out of the comparison: ours also offers the kinds
// of target (node/, deployment/...) beside the pod names, and completes their names,
// which kubectl's pod completion does not; ours lists containers in the pod's order
// (init containers, then containers), kubectl's in its template's, which is the same.
func TestCompletionMatchesKubectl(t *testing.T) {
	pods := labelledPods("test", 3)
	withInit := appPod()
	withInit.Spec.InitContainers = []corev1.Container{{Name: "setup", Image: "busybox"}}
	withInit.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox"}}}
	list := &corev1.PodList{}
	for _, obj := range pods {
		list.Items = append(list.Items, *obj.(*corev1.Pod))
	}
	client := fake.NewClientset(append(pods, withInit)...)

	for _, word := range []string{"", "web-", "web-1", "o", "x"} {
		var ours []string
		for _, c := range completions(t, client, word) {
			if !strings.Contains(c, "/") && c != withInit.Name {
				ours = append(ours, c)
			}
		}
		theirs := completion.CompGetResource(kubectlFactory(t, list), "pod", word)
		slices.Sort(theirs)
		if word == "" && len(theirs) == 0 {
			t.Fatal("kubectl's completion offers no pod: the comparison would prove nothing")
		}
		if diff := cmp.Diff(theirs, ours); diff != "" {
			t.Errorf("pods for %q (-kubectl +ours):\n%s", word, diff)
		}
	}
	for _, word := range []string{"", "s", "w", "x"} {
		ours := completions(t, client, withInit.Name, "-c", word)
		theirs := completion.CompGetContainers(kubectlFactory(t, withInit), withInit.Name, word)
		if word == "" && len(theirs) < 2 {
			t.Fatalf("kubectl's completion offers containers %q: the comparison would prove little", theirs)
		}
		if diff := cmp.Diff(theirs, ours); diff != "" {
			t.Errorf("containers for %q (-kubectl +ours):\n%s", word, diff)
		}
	}
}
