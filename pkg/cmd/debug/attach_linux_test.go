package debug

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns the terminal end of a new pseudo-terminal, as a session's standard
// input is when someone types into it.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// canonical tells whether the terminal reads lines (cooked) rather than keys (raw).
func canonical(t *testing.T, tty *os.File) bool {
	t.Helper()
	termios, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return termios.Lflag&unix.ICANON != 0
}

// A TTY session puts the terminal in raw mode, and the terminal comes back as soon as
// the session's context ends (a signal), before the session has returned, so that what
// the command prints while it stops reads as lines; and again when it returns.
func TestRawTerminalRestoredAtTheSignal(t *testing.T) {
	tty := openPTY(t)
	if !canonical(t, tty) {
		t.Fatal("a new terminal should read lines")
	}
	ctx, cancel := context.WithCancel(context.Background())
	restore, err := rawTerminal(ctx, tty)
	if err != nil {
		t.Fatal(err)
	}
	if canonical(t, tty) {
		t.Fatal("the session's terminal is not raw")
	}
	cancel()
	// The restore runs in a goroutine of its own as the context ends: poll the
	// terminal, since restore() below would hide a missing one.
	for i := 0; !canonical(t, tty); i++ {
		if i == 1e6 {
			t.Fatal("the terminal stayed raw after the signal")
		}
		runtime.Gosched()
	}
	restore()
	if !canonical(t, tty) {
		t.Fatal("the terminal is raw after the session")
	}

	// Without a signal, the session's end restores it.
	restore, err = rawTerminal(context.Background(), tty)
	if err != nil {
		t.Fatal(err)
	}
	restore()
	if !canonical(t, tty) {
		t.Fatal("the terminal is raw after the session")
	}
}

// On Windows a terminal session uses the console's own streams, as kubectl does; a
// pipe, or another system, keeps the streams it was given.
func TestConsoleStreams(t *testing.T) {
	tty := openPTY(t)
	defer func(os string) { clientOS = os }(clientOS)
	pipeIn, pipeOut, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeIn.Close()
	defer pipeOut.Close()
	for _, tt := range []struct {
		os      string
		in      *os.File
		console bool
	}{
		{"windows", tty, true},
		{"windows", pipeIn, false},
		{"linux", tty, false},
	} {
		clientOS = tt.os
		in, out := consoleStreams(tt.in, pipeOut)
		if got := in == os.Stdin && out == os.Stdout; got != tt.console {
			t.Errorf("%s, terminal %v: console streams = %v, want %v", tt.os, tt.in == tty, got, tt.console)
		}
	}
}
