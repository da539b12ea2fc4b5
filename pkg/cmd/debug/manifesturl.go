package debug

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kubectl-debugger/kubectl-debugger/internal/readfile"
)

// isManifestURL tells whether a -f value is an http or https URL, which kubectl reads
// as it reads a file.
func isManifestURL(path string) bool {
	return strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://")
}

// manifestAttempts and manifestRetryDelay are kubectl's for a -f URL: a failed
// connection or a server error (5xx) is tried again, a second later, three attempts
// in all.
var (
	manifestAttempts   = 3
	manifestRetryDelay = time.Second
)

// readManifestURL reads the -f URL u, at most limit bytes of it. Ctrl-C ends it.
func readManifestURL(ctx context.Context, u string, limit int64) ([]byte, error) {
	var err error
	for attempt := 0; attempt < manifestAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("reading %s: %w", u, ctx.Err())
			case <-time.After(manifestRetryDelay):
			}
		}
		var data []byte
		var again bool
		if data, again, err = getManifest(ctx, u, limit); err == nil {
			return data, nil
		}
		if !again || ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// getManifest makes one attempt at reading u, and says whether another may succeed.
func getManifest(ctx context.Context, u string, limit int64) (data []byte, again bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, true, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		failed := fmt.Errorf("unable to read URL %q, server reported %s, status code=%d", u, resp.Status, resp.StatusCode)
		return nil, resp.StatusCode >= 500 && resp.StatusCode < 600, failed
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > limit {
		return nil, false, &readfile.TooLargeError{Limit: limit}
	}
	return data, false, nil
}
