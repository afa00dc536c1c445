package cli

import (
	"net/http"
	"strings"
	"testing"
)

// An admin's retry of an application whose journey never started says that it started it.
func TestRetryStartsAMissingJourney(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-3/retry", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"retried": []map[string]any{}, "journey_started": true})
	})
	code, out, errOut := run(t, "retry", "app-3")
	if code != 0 || !strings.Contains(out, "Started the journey of app-3 (its registration had been left without one)") {
		t.Errorf("retry: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
