package api

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"

	"awardengine/services/applications"
)

// TestFailWritesTheServicesProblem: fail writes the problem the service's error maps to
// (applications.Problem, tested there), as application/problem+json with the full type, and a
// Retry-After for a journey still starting.
func TestFailWritesTheServicesProblem(t *testing.T) {
	w := httptest.NewRecorder()
	fail(w, httptest.NewRequest("GET", "/v1/applications/a", nil), applications.JourneyStarting())
	var p problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if w.Code != 503 || p.Type != problemBase+"journey-starting" || w.Header().Get("Retry-After") != applications.JourneyRetryAfter ||
		w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("got %d %s %v", w.Code, p.Type, w.Header())
	}
	w = httptest.NewRecorder()
	fail(w, httptest.NewRequest("POST", "/v1/applications/a/submit", nil), errors.New("presign: refused"))
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if w.Code != 503 || p.Type != problemBase+"unavailable" || w.Header().Get("Retry-After") != "" {
		t.Fatalf("got %d %s %v", w.Code, p.Type, w.Header())
	}
}
