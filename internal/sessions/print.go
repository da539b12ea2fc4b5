package sessions

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/yaml"
)

// none is what kubectl's tables print for an empty value.
const none = "<none>"

// print writes the sessions in the format -o asks for; an empty table is said on
// standard error, as kubectl get says it.
func (o *Options) print(sessions []Session) error {
	switch o.Output {
	case "json", "yaml":
		list := List{Items: sessions}
		list.APIVersion, list.Kind = ListAPIVersion, ListKind
		if list.Items == nil {
			list.Items = []Session{}
		}
		return writeDocument(o.Out, o.Output, list)
	case "name":
		for _, s := range sessions {
			fmt.Fprintln(o.Out, s.name())
		}
		return nil
	}
	if len(sessions) == 0 {
		if o.AllNamespaces {
			fmt.Fprintln(o.ErrOut, "No resources found")
		} else {
			fmt.Fprintf(o.ErrOut, "No resources found in %s namespace.\n", o.Namespace)
		}
		return nil
	}
	w := printers.GetNewTabWriter(o.Out)
	columns := []string{"POD", "CONTAINER", "KIND", "TARGET", "IMAGE", "STATE", "AGE"}
	if o.AllNamespaces {
		columns = append([]string{"NAMESPACE"}, columns...)
	}
	if o.Output == "wide" {
		columns = append(columns, "PRIVILEGES", "BY")
	}
	fmt.Fprintln(w, strings.Join(columns, "\t"))
	for _, s := range sessions {
		row := []string{s.Pod, s.Container, string(s.Kind), orNone(s.Target), s.Image, s.State, o.age(s)}
		if o.AllNamespaces {
			row = append([]string{s.Namespace}, row...)
		}
		if o.Output == "wide" {
			row = append(row, orNone(strings.Join(s.Privileges, ",")), orNone(s.By))
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	return w.Flush()
}

// writeDocument writes v as format, json (indented as kubectl does) or yaml.
func writeDocument(out io.Writer, format string, v any) error {
	var data []byte
	var err error
	if format == "json" {
		data, err = json.MarshalIndent(v, "", "    ")
		data = append(data, '\n')
	} else {
		data, err = yaml.Marshal(v)
	}
	if err != nil {
		return err
	}
	_, err = out.Write(data)
	return err
}

// name is the session as -o name prints it, which --stop takes back.
func (s Session) name() string {
	return "pod/" + s.Pod + "/" + s.Container
}

// age is how long ago the session's container started, in kubectl's format.
func (o *Options) age(s Session) string {
	if s.Since == nil {
		return "<unknown>"
	}
	return duration.HumanDuration(o.Now().Sub(s.Since.Time))
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}
