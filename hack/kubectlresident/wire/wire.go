// Package wire is what the resident kubectl (hack/kubectlresident) and its callers
// (hack/kubectlcall) say to each other over a Unix socket. The caller's standard
// streams travel as file descriptors, so the command reads and writes exactly where the
// caller's own kubectl process would; the request carries the arguments, the working
// directory and the environment variables kubectl reads; the reply is the exit status,
// or a refusal, after which the caller runs kubectl itself.
package wire

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
)

// Request is one kubectl command.
type Request struct {
	// Args are kubectl's arguments, without the program name.
	Args []string `json:"args"`
	// Dir is the caller's working directory.
	Dir string `json:"dir"`
	// Env holds the caller's variables that kubectl reads (Relevant), and only those.
	Env map[string]string `json:"env"`
}

// The reply's first byte.
const (
	// Ran: a second byte follows, the command's exit status.
	Ran byte = 'R'
	// Refused: the server does not run this command; the caller runs kubectl itself.
	Refused byte = 'N'
)

// maxRequest bounds a request's size: arguments, not data (data comes on stdin).
const maxRequest = 1 << 20

// Relevant tells whether kubectl reads the environment variable name: its
// configuration and cache, its own switches and client-go's feature gates, its home
// (~/.kube), its proxies and its colours.
func Relevant(name string) bool {
	switch strings.ToUpper(name) {
	case "KUBECONFIG", "KUBECACHEDIR", "KUBERC", "HOME", "NO_COLOR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY":
		return true
	}
	return strings.HasPrefix(name, "KUBECTL_") || strings.HasPrefix(name, "KUBE_FEATURE_")
}

// RelevantEnv returns the variables of environ (os.Environ's form) that kubectl reads.
func RelevantEnv(environ []string) map[string]string {
	env := map[string]string{}
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if Relevant(name) {
			env[name] = value
		}
	}
	return env
}

// Send writes req with the descriptors of streams (stdin, stdout, stderr) attached.
func Send(conn *net.UnixConn, req Request, streams [3]*os.File) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	msg = append(msg, body...)
	rights := syscall.UnixRights(int(streams[0].Fd()), int(streams[1].Fd()), int(streams[2].Fd()))
	n, oobn, err := conn.WriteMsgUnix(msg, rights, nil)
	if err != nil {
		return err
	}
	if n != len(msg) || oobn != len(rights) {
		return fmt.Errorf("short write: %d of %d bytes, %d of %d bytes of descriptors", n, len(msg), oobn, len(rights))
	}
	return nil
}

// Receive reads a request and the three descriptors that came with it, which the
// caller closes.
func Receive(conn *net.UnixConn) (Request, [3]*os.File, error) {
	var req Request
	var streams [3]*os.File
	buf := make([]byte, 64<<10)
	oob := make([]byte, syscall.CmsgSpace(3*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return req, streams, err
	}
	fds, err := descriptors(oob[:oobn])
	if err != nil {
		return req, streams, err
	}
	for i, fd := range fds {
		streams[i] = os.NewFile(uintptr(fd), []string{"stdin", "stdout", "stderr"}[i])
	}
	if err := readBody(conn, buf[:n], &req); err != nil {
		CloseStreams(streams)
		return req, [3]*os.File{}, err
	}
	return req, streams, nil
}

// descriptors returns exactly three descriptors from a control message, closing any
// it received when they are not three.
func descriptors(oob []byte) ([]int, error) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("reading the descriptors: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := syscall.ParseUnixRights(&m)
		if err != nil {
			return nil, fmt.Errorf("reading the descriptors: %w", err)
		}
		fds = append(fds, got...)
	}
	if len(fds) != 3 {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return nil, fmt.Errorf("a request carries 3 descriptors (stdin, stdout, stderr), not %d", len(fds))
	}
	return fds, nil
}

// readBody decodes the length-prefixed request whose first bytes are head, reading the
// rest from r.
func readBody(r io.Reader, head []byte, req *Request) error {
	for len(head) < 4 {
		more := make([]byte, 4-len(head))
		n, err := r.Read(more)
		if err != nil {
			return fmt.Errorf("reading the request: %w", err)
		}
		head = append(head, more[:n]...)
	}
	size := binary.BigEndian.Uint32(head)
	if size > maxRequest {
		return fmt.Errorf("a request of %d bytes is over the limit of %d", size, maxRequest)
	}
	body := head[4:]
	if uint32(len(body)) > size {
		return errors.New("more bytes than the request announced")
	}
	if rest := int(size) - len(body); rest > 0 {
		more := make([]byte, rest)
		if _, err := io.ReadFull(r, more); err != nil {
			return fmt.Errorf("reading the request: %w", err)
		}
		body = append(body, more...)
	}
	if err := json.Unmarshal(body, req); err != nil {
		return fmt.Errorf("decoding the request: %w", err)
	}
	return nil
}

// CloseStreams closes the descriptors a request brought; those never received are nil.
func CloseStreams(files [3]*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}

// ReplyRan says the command ran and ended with status code.
func ReplyRan(w io.Writer, code int) error {
	if code < 0 || code > 255 {
		code = 255
	}
	_, err := w.Write([]byte{Ran, byte(code)})
	return err
}

// ReplyRefused says the server does not run the command.
func ReplyRefused(w io.Writer) error {
	_, err := w.Write([]byte{Refused})
	return err
}

// ReadReply returns whether the server ran the command and, if so, its exit status.
func ReadReply(r io.Reader) (ran bool, code int, err error) {
	var b [2]byte
	if _, err := io.ReadFull(r, b[:1]); err != nil {
		return false, 0, err
	}
	switch b[0] {
	case Refused:
		return false, 0, nil
	case Ran:
		if _, err := io.ReadFull(r, b[1:]); err != nil {
			return false, 0, err
		}
		return true, int(b[1]), nil
	}
	return false, 0, fmt.Errorf("unknown reply %q", b[0])
}
