package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// requests are the API requests found in a stretch of the audit log.
type requests struct {
	total  int
	byVerb map[string]int
	// failed counts responses with a status of 400 or more.
	failed int
}

// breakdown lists the requests by verb, as "1 list + 200 patch".
func (r requests) breakdown() string {
	verbs := make([]string, 0, len(r.byVerb))
	for v := range r.byVerb {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	parts := make([]string, len(verbs))
	for i, v := range verbs {
		parts[i] = fmt.Sprintf("%d %s", r.byVerb[v], v)
	}
	return strings.Join(parts, " + ")
}

func auditSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// countRequests counts the completed requests by user admin in the audit log after
// offset, leaving out the fake kubelet's own traffic (it uses the same credentials).
// A line still being written is left for the next look.
func countRequests(path string, offset int64) (requests, error) {
	r := requests{byVerb: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return r, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return r, fmt.Errorf("seeking in the audit log: %w", err)
	}
	rd := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := rd.ReadBytes('\n')
		if err == io.EOF {
			return r, nil
		}
		if err != nil {
			return r, fmt.Errorf("reading the audit log: %w", err)
		}
		var ev struct {
			Stage     string `json:"stage"`
			Verb      string `json:"verb"`
			UserAgent string `json:"userAgent"`
			User      struct {
				Username string `json:"username"`
			} `json:"user"`
			ResponseStatus struct {
				Code int `json:"code"`
			} `json:"responseStatus"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			return r, fmt.Errorf("decoding an audit event: %w", err)
		}
		if ev.Stage != "ResponseComplete" || ev.User.Username != "admin" || strings.HasPrefix(ev.UserAgent, "kwok") {
			continue
		}
		r.total++
		r.byVerb[ev.Verb]++
		if ev.ResponseStatus.Code >= 400 {
			r.failed++
		}
	}
}

// settledRequests counts the requests after offset once the count stops moving: the
// audit event is written when the response completes, which can trail the client's
// exit by a moment.
func settledRequests(path string, offset int64) (requests, error) {
	var r requests
	last := -1
	for range 20 {
		var err error
		if r, err = countRequests(path, offset); err != nil {
			return r, err
		}
		if r.total == last {
			break
		}
		last = r.total
		time.Sleep(30 * time.Millisecond)
	}
	return r, nil
}

// quietOffset waits until the audit log stops growing and returns its size: the start of
// a measured run, after the events of whatever prepared it.
func quietOffset(path string) (int64, error) {
	last := int64(-1)
	for range 100 {
		size, err := auditSize(path)
		if err != nil {
			return 0, err
		}
		if size == last {
			return size, nil
		}
		last = size
		time.Sleep(50 * time.Millisecond)
	}
	return last, nil
}
