package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	mobyterm "github.com/moby/term"
	"golang.org/x/sys/unix"
)

// fakeCommandRole, set in the environment, makes the test binary play a debug command
// in the terminal timeToAnswer gives it, instead of running the tests.
const fakeCommandRole = "BENCH_FAKE_COMMAND"

func TestMain(m *testing.M) {
	if role := os.Getenv(fakeCommandRole); role != "" {
		os.Exit(fakeCommand(role))
	}
	os.Exit(m.Run())
}

// fakeCommand plays a command that, like kubectl attaching, reads its terminal only
// later and in raw mode: it waits until the typed line is queued, switches the terminal
// to raw mode, then answers the line if it is typedAhead. Its role says how it then
// ends: "shell" on the exit line with 0, "code" on the exit line with 4, "deaf" never;
// "silent" ends with 5 without reading anything, "mute" never answers.
func fakeCommand(role string) int {
	switch role {
	case "silent":
		return 5
	case "mute":
		time.Sleep(time.Hour)
	}
	// A line is queued once it is complete: Enter, in the terminal's cooked mode.
	for {
		n, err := unix.IoctlGetInt(0, unix.TIOCINQ)
		if err != nil {
			fmt.Println("TIOCINQ:", err)
			return 1
		}
		if n > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := mobyterm.MakeRaw(0); err != nil {
		fmt.Println("raw mode:", err)
		return 1
	}
	line, err := readUntil('\n')
	if err != nil || line != "echo $((6*7))ok\n" {
		fmt.Printf("unexpected input %q (%v)\r\n", line, err)
		return 1
	}
	fmt.Print(answer + "\r\n")
	if role == "deaf" {
		time.Sleep(time.Hour)
	}
	// In raw mode Enter comes as it is typed.
	if line, err := readUntil('\r'); err != nil || line != exitLine {
		fmt.Printf("unexpected input %q (%v)\r\n", line, err)
		return 1
	}
	if role == "code" {
		return 4
	}
	return 0
}

// readUntil reads standard input byte by byte up to and with end.
func readUntil(end byte) (string, error) {
	var line bytes.Buffer
	b := make([]byte, 1)
	for {
		if _, err := os.Stdin.Read(b); err != nil {
			return line.String(), err
		}
		line.WriteByte(b[0])
		if b[0] == end {
			return line.String(), nil
		}
	}
}

func fakeCommandArgs(role string) ([]string, []string) {
	return []string{os.Args[0], "-test.run=^$"}, append(os.Environ(), fakeCommandRole+"="+role)
}

func TestTimeToAnswerTypedAheadSurvivesRawMode(t *testing.T) {
	argv, env := fakeCommandArgs("shell")
	times, err := timeToAnswer(argv, env, 30*time.Second, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if times.answered <= 0 {
		t.Errorf("answered after %s, want a positive time", times.answered)
	}
	// The terminal's own echo of the typed line (in cooked mode, before the fake command read
	// it), then the answer.
	if want := "echo $((6*7))ok\r\n42ok\r\n"; times.transcript != want {
		t.Errorf("transcript %q, want %q", times.transcript, want)
	}
}

func TestTimeToAnswerFailures(t *testing.T) {
	// Only the wait that is to run out is short: a loaded machine may take a while to
	// start the fake command.
	const short, long = 300 * time.Millisecond, time.Minute
	for _, tc := range []struct {
		role                 string
		timeout, exitTimeout time.Duration
		wantPrefix           string
	}{
		{"silent", long, long, "ended before the shell answered (exit status 5); the terminal showed:\n"},
		{"mute", short, long, "no answer after 300ms; the terminal showed:\n"},
		{"code", long, long, "after the exit line: exit status 4; the terminal showed:\n"},
		{"deaf", long, short, "still running 300ms after the exit line; the terminal showed:\n"},
	} {
		t.Run(tc.role, func(t *testing.T) {
			argv, env := fakeCommandArgs(tc.role)
			_, err := timeToAnswer(argv, env, tc.timeout, tc.exitTimeout)
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantPrefix) {
				t.Errorf("error %v, want one starting with %q", err, tc.wantPrefix)
			}
		})
	}
}

func TestMatcher(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks []string
		// want is the index of the chunk that completes the match, -1 for none.
		want int
	}{
		{"whole", []string{"echo $((6*7))ok\r\n42ok\r\n"}, 0},
		{"split in two", []string{"echo $((6*7))ok\r\n4", "2ok\r\n"}, 1},
		{"one byte a chunk", []string{"4", "2", "o", "k"}, 3},
		{"split after a false start", []string{"44", "2o", "k"}, 2},
		{"only the echo", []string{"echo $((6*7))ok\r\n", "$ "}, -1},
		{"matched once", []string{"42ok", "42ok"}, 0},
		{"empty chunks", []string{"", "42", "", "ok"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMatcher(answer)
			got := -1
			for i, c := range tc.chunks {
				if m.feed([]byte(c)) {
					if got >= 0 {
						t.Fatalf("matched again on chunk %d", i)
					}
					got = i
				}
			}
			if got != tc.want {
				t.Errorf("matched on chunk %d, want %d", got, tc.want)
			}
		})
	}
}
