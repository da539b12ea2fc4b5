package pluginmain

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
)

// checkErrMessage is what kubectl's cmdutil.CheckErr prints for err, without the
// newline it ends the message with.
func checkErrMessage(t *testing.T, err error) string {
	t.Helper()
	var got string
	cmdutil.BehaviorOnFatal(func(msg string, _ int) { got = msg })
	defer cmdutil.DefaultBehaviorOnFatal()
	cmdutil.CheckErr(err)
	return strings.TrimSuffix(got, "\n")
}

// formatError prints what kubectl's error handling (cmdutil.CheckErr, which kubectl
// debug's errors go through) prints, for every kind of error the debug command returns.
// The deliberate differences are listed with what the plugin prints instead.
func TestFormatErrorMatchesCheckErr(t *testing.T) {
	pods := schema.GroupResource{Resource: "pods"}
	podKind := schema.GroupKind{Kind: "Pod"}
	notFound := apierrors.NewNotFound(pods, "app")
	tests := []struct {
		name string
		err  error
		// deliberate is what the plugin prints where it differs from kubectl on
		// purpose; empty where it prints what kubectl prints.
		deliberate string
	}{
		{name: "plain", err: errors.New("pod app has no container web")},
		{name: "already prefixed", err: errors.New("error: no such pod")},
		{name: "not found", err: notFound},
		{name: "forbidden", err: apierrors.NewForbidden(pods, "app", errors.New("no"))},
		{name: "conflict", err: apierrors.NewConflict(pods, "app", errors.New("changed"))},
		{name: "unauthorized", err: apierrors.NewUnauthorized("Unauthorized")},
		{name: "no reason", err: &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Message: "the server broke"}}},
		{name: "invalid, one cause", err: apierrors.NewInvalid(podKind, "app", field.ErrorList{
			field.Required(field.NewPath("spec", "ephemeralContainers").Index(0).Child("image"), ""),
		})},
		{name: "invalid, causes", err: apierrors.NewInvalid(podKind, "app", field.ErrorList{
			field.Required(field.NewPath("spec", "ephemeralContainers").Index(0).Child("image"), ""),
			field.Invalid(field.NewPath("spec", "ephemeralContainers").Index(0).Child("name"), "Dbg", "must be lower case"),
			field.Invalid(field.NewPath("spec", "ephemeralContainers").Index(0).Child("name"), "Dbg", "must be lower case"),
		})},
		{name: "invalid, no details", err: &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Reason: metav1.StatusReasonInvalid, Message: "bad"}}},
		{name: "invalid, details without kind", err: &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Reason: metav1.StatusReasonInvalid, Message: "bad", Details: &metav1.StatusDetails{}}}},
		// kubectl only recognises the server's error when it is not wrapped: the plugin
		// does the same, as long as the message is the server's.
		{name: "wrapped status", err: fmt.Errorf("reading pod app: %w", notFound)},
		{name: "joined", err: errors.Join(errors.New("a"), notFound)},
		{name: "aggregate of one", err: utilerrors.NewAggregate([]error{notFound})},
		{name: "aggregate", err: utilerrors.NewAggregate([]error{errors.New("a"), notFound})},
		{name: "connection refused", err: &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api/v1/namespaces/default/pods/app", Err: errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")}},
		{name: "server unreachable", err: &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api", Err: errors.New("dial tcp 127.0.0.1:6443: i/o timeout")}},
		{name: "unknown resource type", err: &meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Resource: "foo"}}},
		{name: "unknown resource type in a group", err: &meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "foo"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours := formatError(tt.err)
			want := tt.deliberate
			if want == "" {
				want = checkErrMessage(t, tt.err)
			}
			if ours != want {
				t.Errorf("formatError:\n%s\nwant:\n%s", ours, want)
			}
		})
	}
}

// Errors read as kubectl prints them: the server's own with its reason, and only those.
func TestFormatError(t *testing.T) {
	pods := schema.GroupResource{Resource: "pods"}
	invalid := func(causes ...metav1.StatusCause) error {
		return &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Reason: metav1.StatusReasonInvalid, Message: `Pod "p" is invalid`,
			Details: &metav1.StatusDetails{Kind: "Pod", Name: "p", Causes: causes},
		}}
	}
	image := metav1.StatusCause{Field: "spec.containers[0].image", Message: "Required value"}
	name := metav1.StatusCause{Field: "metadata.name", Message: "Invalid value"}
	tests := []struct {
		err  error
		want string
	}{
		{apierrors.NewNotFound(pods, "p"), `Error from server (NotFound): pods "p" not found`},
		{fmt.Errorf("getting: %w", apierrors.NewNotFound(pods, "p")), `error: getting: pods "p" not found`},
		{apierrors.NewUnauthorized("Unauthorized"), "error: You must be logged in to the server (Unauthorized)"},
		{&apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Message: "teapot"}}, "Error from server: teapot"},
		{invalid(image), `The Pod "p" is invalid: spec.containers[0].image: Required value`},
		{invalid(image, image, name), "The Pod \"p\" is invalid: \n* spec.containers[0].image: Required value\n* metadata.name: Invalid value"},
		{invalid(), `The Pod "p" is invalid`},
		{errors.New("plain"), "error: plain"},
		{&meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Resource: "foo"}}, `the server doesn't have a resource type "foo"`},
		{&meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Group: "x.io", Resource: "foo"}}, `the server doesn't have a resource type "foo" in group "x.io"`},
		{&meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Group: "x.io", Version: "v2", Resource: "foo"}}, `the server doesn't have a resource type "foo" in group "x.io" and version "v2"`},
		{&meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Version: "v2", Resource: "foo"}}, `the server doesn't have a resource type "foo" in version "v2"`},
		{&url.Error{Op: "Get", URL: "https://127.0.0.1:1/api/v1/namespaces/a/pods/p", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")},
			"The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"},
		{&url.Error{Op: "Get", URL: "https://a.example/api", Err: errors.New("tls: bad certificate")}, "Unable to connect to the server: tls: bad certificate"},
	}
	for _, tt := range tests {
		if got := formatError(tt.err); got != tt.want {
			t.Errorf("formatError(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
