package wire

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pair returns the two ends of a connected Unix socket.
func pair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	var conns [2]*net.UnixConn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "socket")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c.(*net.UnixConn)
		t.Cleanup(func() { c.Close() })
	}
	return conns[0], conns[1]
}

// files returns three files of a temporary directory, standing for a caller's streams.
func files(t *testing.T) [3]*os.File {
	t.Helper()
	var streams [3]*os.File
	for i, name := range []string{"in", "out", "err"} {
		f, err := os.Create(filepath.Join(t.TempDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		streams[i] = f
	}
	return streams
}

func TestSendAndReceiveCarryTheRequestAndTheStreams(t *testing.T) {
	caller, server := pair(t)
	streams := files(t)
	want := Request{
		Args: []string{"get", "pods", "-o", "go-template={{range .items}}{{.metadata.name}}\n{{end}}"},
		Dir:  "/work",
		Env:  map[string]string{"KUBECONFIG": "/k", "HOME": "/root"},
	}
	if err := Send(caller, want, streams); err != nil {
		t.Fatal(err)
	}
	got, received, err := Receive(server)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-sent +received):\n%s", diff)
	}
	// Each descriptor received is the caller's file: what is written through it lands
	// in the caller's.
	for i, f := range received {
		if _, err := f.WriteString("via " + f.Name()); err != nil {
			t.Fatal(err)
		}
		f.Close()
		content, err := os.ReadFile(streams[i].Name())
		if err != nil {
			t.Fatal(err)
		}
		if want := "via " + []string{"stdin", "stdout", "stderr"}[i]; string(content) != want {
			t.Errorf("stream %d holds %q, want %q", i, content, want)
		}
	}
}

func TestReceiveReadsARequestLargerThanOneRead(t *testing.T) {
	caller, server := pair(t)
	want := Request{Args: []string{"get", strings.Repeat("x", 200<<10)}, Env: map[string]string{}}
	done := make(chan error, 1)
	go func() { done <- Send(caller, want, files(t)) }()
	got, received, err := Receive(server)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range received {
		f.Close()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got.Args) != 2 || got.Args[1] != want.Args[1] {
		t.Errorf("received arguments of %d bytes, want %d", len(strings.Join(got.Args, "")), len(strings.Join(want.Args, "")))
	}
}

func TestReceiveRefusesWhatIsNotARequest(t *testing.T) {
	streams := files(t)
	for name, send := range map[string]func(*net.UnixConn) error{
		"two descriptors": func(c *net.UnixConn) error {
			body := binary.BigEndian.AppendUint32(nil, 2)
			_, _, err := c.WriteMsgUnix(append(body, "{}"...), syscall.UnixRights(int(streams[0].Fd()), int(streams[1].Fd())), nil)
			return err
		},
		"over the limit": func(c *net.UnixConn) error {
			_, _, err := c.WriteMsgUnix(binary.BigEndian.AppendUint32(nil, maxRequest+1), syscall.UnixRights(int(streams[0].Fd()), int(streams[1].Fd()), int(streams[2].Fd())), nil)
			return err
		},
		"not JSON": func(c *net.UnixConn) error {
			body := binary.BigEndian.AppendUint32(nil, 3)
			_, _, err := c.WriteMsgUnix(append(body, "get"...), syscall.UnixRights(int(streams[0].Fd()), int(streams[1].Fd()), int(streams[2].Fd())), nil)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			caller, server := pair(t)
			if err := send(caller); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"two descriptors": "a request carries 3 descriptors (stdin, stdout, stderr), not 2",
				"over the limit":  "a request of 1048577 bytes is over the limit of 1048576",
				"not JSON":        "decoding the request: invalid character 'g' looking for beginning of value",
			}[name]
			_, got, err := Receive(server)
			if err == nil || err.Error() != want {
				t.Fatalf("error %v, want %q", err, want)
			}
			if got != [3]*os.File{} {
				t.Errorf("descriptors returned with the error: %v", got)
			}
		})
	}
}

func TestReplies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		write    func(*bytes.Buffer) error
		ran      bool
		code     int
		errorMsg string
	}{
		{name: "ran", write: func(b *bytes.Buffer) error { return ReplyRan(b, 1) }, ran: true, code: 1},
		{name: "a status over 255", write: func(b *bytes.Buffer) error { return ReplyRan(b, 300) }, ran: true, code: 255},
		{name: "refused", write: func(b *bytes.Buffer) error { return ReplyRefused(b) }},
		{name: "nothing", write: func(*bytes.Buffer) error { return nil }, errorMsg: "EOF"},
		{name: "unknown", write: func(b *bytes.Buffer) error { return b.WriteByte('?') }, errorMsg: `unknown reply '?'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			ran, code, err := ReadReply(&b)
			if tc.errorMsg != "" {
				if err == nil || err.Error() != tc.errorMsg {
					t.Fatalf("error %v, want %q", err, tc.errorMsg)
				}
				return
			}
			if err != nil || ran != tc.ran || code != tc.code {
				t.Errorf("ReadReply = %v, %d, %v; want %v, %d", ran, code, err, tc.ran, tc.code)
			}
		})
	}
}

func TestRelevantEnv(t *testing.T) {
	got := RelevantEnv([]string{"HOME=/root", "KUBECONFIG=/k", "KUBECTL_KUBERC=false", "PATH=/bin", "https_proxy=", "TERM=xterm", "NO_COLOR=1", "KD_TEST=1", "KUBE_TEMP=/t", "KUBE_FEATURE_WatchListClient=false", "KUBECACHEDIR=/c"})
	want := map[string]string{"HOME": "/root", "KUBECONFIG": "/k", "KUBECTL_KUBERC": "false", "https_proxy": "", "NO_COLOR": "1", "KUBE_FEATURE_WatchListClient": "false", "KUBECACHEDIR": "/c"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RelevantEnv (-want +got):\n%s", diff)
	}
}
