package debug

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopSignals are the signals a terminal sends to stop its foreground job: Ctrl-C, a
// kill, and the terminal closing.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interruptedCleanupBudget is how long, counted from the signal that stopped a run, the
// cleanup that must still happen (deleting what --rm owns, naming what it could not
// delete) may take, so that the command ends within a second of the signal however
// many pods there are and however slow the server has become.
const interruptedCleanupBudget = 700 * time.Millisecond

// interruptedStopBudget is the same for ending the ephemeral debug containers --rm owns.
// Each takes an exec, whose stream the kubelet and the runtime must set up: on a loaded
// 2-core node that took longer than the deletes' budget, and a container --rm did not
// end keeps running in the user's pod with its profile's privileges. The command still
// ends well before the plugin's backstop, and a second Ctrl-C ends it at once.
const interruptedStopBudget = 2 * time.Second

// runStop catches the stop signals while a run lasts: the first one cancels the run's
// context, and the command still gets to restore the terminal, delete what --rm owns
// and report. No handler of a library may end the process instead: kubectl's terminal
// helper, for one, exits at the first signal, before any cleanup.
type runStop struct {
	mu sync.Mutex
	// sig is the first stop signal caught; nil when none was.
	sig os.Signal
	// at is when the run's context ended, by a signal or by its parent's cancellation.
	at time.Time
}

// catchSignals returns ctx cancelled at the first stop signal, and a function that
// stops catching them. At a second Ctrl-C or SIGTERM the process's own handling comes
// back, so that a third ends a command that is taking too long to stop (in kubectl, by
// the signal's default action; the plugin's main ends it at the second).
func (o *DebugOptions) catchSignals(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	stop := &runStop{}
	o.stop = stop
	if o.notifySignals == nil || o.ignoreSignals == nil {
		o.notifySignals, o.ignoreSignals = notifyStopSignals, ignoreStopSignals
	}
	signals := make(chan os.Signal, 1)
	o.notifySignals(signals)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-signals:
			stop.mu.Lock()
			stop.sig = sig
			stop.mu.Unlock()
			cancel()
		case <-done:
			return
		}
		// A second Ctrl-C or SIGTERM ends the process, but a terminal that closes may
		// send SIGHUP twice, and nobody is there to insist: the rest are swallowed.
		for {
			select {
			case sig := <-signals:
				if sig != syscall.SIGHUP {
					o.ignoreSignals(signals)
					return
				}
			case <-done:
				return
			}
		}
	}()
	afterStop := context.AfterFunc(ctx, func() {
		stop.mu.Lock()
		if stop.at.IsZero() {
			stop.at = time.Now()
		}
		stop.mu.Unlock()
	})
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			close(done)
			o.ignoreSignals(signals)
			afterStop()
			cancel()
		})
	}
}

// signal returns the stop signal the run caught, or nil.
func (s *runStop) signal() os.Signal {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sig
}

// stoppedAt returns when the run's context ended, or now when that has not been
// recorded yet (the record and the cleanup both run as the context ends).
func (s *runStop) stoppedAt() time.Time {
	if s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.at.IsZero() {
			return s.at
		}
	}
	return time.Now()
}

// outliving returns a context for the work that must go on after ctx ends (cleanup):
// it is not cancelled with ctx, but once ctx has ended it lasts only until budget after
// the stop.
func (s *runStop) outliving(ctx context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	out, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var (
		mu    sync.Mutex
		timer *time.Timer
		ended bool
	)
	stopWatching := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !ended {
			timer = time.AfterFunc(time.Until(s.stoppedAt().Add(budget)), cancel)
		}
	})
	return out, func() {
		stopWatching()
		mu.Lock()
		ended = true
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// signalExit is the error of a run a stop signal ended: it exits with the shell's code
// for the signal (128 + its number), also inside kubectl, whose error handling takes
// the code of an exit error, and it says "interrupted" where the cancellation it
// caused says "context canceled".
type signalExit struct {
	err error
	sig syscall.Signal
}

// withSignal returns err as the error of a run stopped by sig, or err as it is when no
// signal stopped the run.
func withSignal(err error, sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return err
	}
	if err == nil {
		err = errors.New("interrupted")
	}
	return signalExit{err: err, sig: s}
}

func (e signalExit) Error() string {
	return strings.ReplaceAll(e.err.Error(), context.Canceled.Error(), "interrupted")
}

func (e signalExit) Unwrap() error { return e.err }

// String returns the error's message.
func (e signalExit) String() string { return e.Error() }

// Exited is true: the command ends.
func (e signalExit) Exited() bool { return true }

// ExitStatus is the shell's code for a process ended by the signal.
func (e signalExit) ExitStatus() int { return 128 + int(e.sig) }

// notifyStopSignals and ignoreStopSignals are the process's signal handling; tests
// replace them. A signal the process was started ignoring (nohup's SIGHUP) stays
// ignored: catching it would undo what the user asked for.
func notifyStopSignals(c chan<- os.Signal) {
	for _, sig := range stopSignals {
		if !signal.Ignored(sig) {
			signal.Notify(c, sig)
		}
	}
}
func ignoreStopSignals(c chan<- os.Signal) { signal.Stop(c) }
