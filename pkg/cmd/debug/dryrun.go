package debug

import "fmt"

// dryRun is --dry-run: what a debug call may change.
type dryRun int

const (
	// dryRunNone sends every request.
	dryRunNone dryRun = iota
	// dryRunClient sends no write at all and prints what would be sent.
	dryRunClient
	// dryRunServer sends the writes with dryRun=All: the server validates, admits and
	// defaults them, and persists nothing.
	dryRunServer
)

// parseDryRun reads the --dry-run value.
func parseDryRun(value string) (dryRun, error) {
	switch value {
	case "none", "":
		return dryRunNone, nil
	case "client", "true":
		return dryRunClient, nil
	case "false":
		return dryRunNone, nil
	case "server":
		return dryRunServer, nil
	}
	return dryRunNone, fmt.Errorf(`invalid --dry-run %q: must be "none", "server" or "client"`, value)
}

// String names the dry run as summaries show it.
func (d dryRun) String() string {
	switch d {
	case dryRunClient:
		return "client"
	case dryRunServer:
		return "server"
	}
	return "none"
}
