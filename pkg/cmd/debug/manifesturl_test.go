package debug

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// -f takes an http or https URL, as kubectl does: a server error is tried again, up to
// three attempts; another failure is reported at once.
func TestManifestURL(t *testing.T) {
	defer func(d time.Duration) { manifestRetryDelay = d }(manifestRetryDelay)
	manifestRetryDelay = 0
	const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: test}\nspec: {containers: [{name: web, image: nginx}]}\n"
	tests := []struct {
		name string
		// codes are the statuses of the attempts, in order; 200 serves the pod.
		codes        []int
		wantAttempts int32
		wantErr      string
	}{
		{name: "served", codes: []int{200}, wantAttempts: 1},
		{name: "server errors, then served", codes: []int{503, 500, 200}, wantAttempts: 3},
		{name: "server errors only", codes: []int{500, 502, 503}, wantAttempts: 3,
			wantErr: `-f SERVER/app.yaml: unable to read URL "SERVER/app.yaml", server reported 503 Service Unavailable, status code=503`},
		{name: "not found: no retry", codes: []int{404, 200}, wantAttempts: 1,
			wantErr: `-f SERVER/app.yaml: unable to read URL "SERVER/app.yaml", server reported 404 Not Found, status code=404`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attempts atomic.Int32
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				code := tt.codes[attempts.Add(1)-1]
				w.WriteHeader(code)
				if code == http.StatusOK {
					fmt.Fprint(w, pod)
				}
			}))
			defer server.Close()
			r := runCommand(t, nil, "", "-f", server.URL+"/app.yaml", "--image=busybox:1.36", "-c", "dbg", "--dry-run=client", "-o", "name")
			if got, want := errString(r.err), strings.ReplaceAll(tt.wantErr, "SERVER", server.URL); got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			if tt.wantErr == "" && r.stdout != "pod/app\n" {
				t.Errorf("stdout = %q, want pod/app", r.stdout)
			}
			if got := attempts.Load(); got != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", got, tt.wantAttempts)
			}
		})
	}
}
