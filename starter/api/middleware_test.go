package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSecurityHeadersOnEveryAnswer: every answer (a success, a problem, an unknown path, a
// refused query) carries nosniff and no-referrer; every /v1/ answer, which may carry personal
// data, carries no-store.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	h := (&Server{}).Handler()
	cases := []struct {
		method, target string
		status         int
		noStore        bool
	}{
		{"GET", "/healthz", http.StatusOK, false},
		{"GET", "/openapi.yaml", http.StatusOK, false},
		{"GET", "/v1/me", http.StatusUnauthorized, true},
		{"POST", "/v1/applications", http.StatusUnauthorized, true},
		{"GET", "/v1/admin/search?q=%00", http.StatusUnprocessableEntity, true},
		{"GET", "/nowhere", http.StatusNotFound, false},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(c.method, c.target, nil))
			if w.Code != c.status {
				t.Fatalf("want %d, got %d: %s", c.status, w.Code, w.Body)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := w.Header().Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy %q", got)
			}
			if got := w.Header().Get("Cache-Control"); c.noStore && got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
		})
	}
}
