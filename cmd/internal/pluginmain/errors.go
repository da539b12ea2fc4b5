package pluginmain

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
)

// formatError prints errors the way kubectl's error handling does, so users recognise
// the server's reason (Forbidden, NotFound, a Pod Security refusal...) and the fields a
// refused object got wrong.
func formatError(err error) string {
	if unknown, ok := err.(*meta.NoResourceMatchError); ok {
		return unknownTypeMessage(unknown.PartialResource)
	}
	if u, ok := err.(*url.Error); ok {
		if strings.Contains(u.Err.Error(), "connection refused") {
			host := u.URL
			if server, perr := url.Parse(u.URL); perr == nil {
				host = server.Host
			}
			return fmt.Sprintf("The connection to the server %s was refused - did you specify the right host or port?", host)
		}
		return fmt.Sprintf("Unable to connect to the server: %v", u.Err)
	}
	if agg, ok := err.(utilerrors.Aggregate); ok {
		errs := agg.Errors()
		if len(errs) == 1 {
			return formatError(errs[0])
		}
		lines := make([]string, len(errs))
		for i, err := range errs {
			if lines[i] = serverMessage(err); lines[i] == "" {
				lines[i] = err.Error()
			}
		}
		return strings.Join(lines, "\n")
	}
	if s, ok := serverStatus(err); ok && s.Reason == metav1.StatusReasonInvalid {
		return formatInvalid(s)
	}
	if msg := serverMessage(err); msg != "" {
		return msg
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "error: ") {
		return msg
	}
	return "error: " + msg
}

// serverStatus is the status of an error the server returned, when err is that error
// and not one that wraps it with more words.
func serverStatus(err error) (metav1.Status, bool) {
	var status apierrors.APIStatus
	if errors.As(err, &status) && err.Error() == status.Status().Message {
		return status.Status(), true
	}
	return metav1.Status{}, false
}

// serverMessage prints an error the server returned with its reason, or is empty for
// any other error.
func serverMessage(err error) string {
	s, ok := serverStatus(err)
	switch {
	case !ok:
		return ""
	case s.Reason == metav1.StatusReasonUnauthorized:
		return fmt.Sprintf("error: You must be logged in to the server (%s)", s.Message)
	case s.Reason != "":
		return fmt.Sprintf("Error from server (%s): %s", s.Reason, s.Message)
	}
	return "Error from server: " + s.Message
}

// formatInvalid prints an object the server refused with the fields at fault, one a
// line when there are several.
func formatInvalid(s metav1.Status) string {
	msg := "The request is invalid"
	if s.Details == nil {
		if s.Message != "" {
			msg += ": " + s.Message
		}
		return msg
	}
	if s.Details.Kind != "" || s.Details.Name != "" {
		msg = fmt.Sprintf("The %s %q is invalid", s.Details.Kind, s.Details.Name)
	} else if len(s.Details.Causes) == 0 && s.Message != "" {
		msg += ": " + s.Message
	}
	var causes []string
	for _, c := range s.Details.Causes {
		if cause := c.Field + ": " + c.Message; !slices.Contains(causes, cause) {
			causes = append(causes, cause)
		}
	}
	switch len(causes) {
	case 0:
		return msg
	case 1:
		return msg + ": " + causes[0]
	}
	return msg + ": \n* " + strings.Join(causes, "\n* ")
}

// unknownTypeMessage says the server has no resource type r, with the group and version
// it was asked in, in kubectl's words.
func unknownTypeMessage(r schema.GroupVersionResource) string {
	msg := fmt.Sprintf("the server doesn't have a resource type %q", r.Resource)
	if r.Group != "" {
		msg += fmt.Sprintf(" in group %q", r.Group)
	}
	switch {
	case r.Version != "" && r.Group != "":
		msg += fmt.Sprintf(" and version %q", r.Version)
	case r.Version != "":
		msg += fmt.Sprintf(" in version %q", r.Version)
	}
	return msg
}
