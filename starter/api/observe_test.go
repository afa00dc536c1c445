package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"awardengine/logging"
	"awardengine/metrics"
)

// requestCount reads how many requests award_http_request_duration_seconds holds for route.
func requestCount(t *testing.T, route string) uint64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "award_http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == route {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}

// routes lists every route label in the histogram.
func routes(t *testing.T) []string {
	families, _ := metrics.Registry.Gather()
	var out []string
	for _, f := range families {
		if f.GetName() == "award_http_request_duration_seconds" {
			for _, m := range f.GetMetric() {
				out = append(out, m.GetLabel()[0].GetValue())
			}
		}
	}
	return out
}

// TestObserveLabelsByRoutePatternAndCarriesRequestIDs: a request is timed under the mux's
// pattern (the application id in the path never becomes a label), unmatched paths share one
// label, a clean X-Request-Id is echoed and a hostile one replaced, and the request's log
// record names its id and route but not its path.
func TestObserveLabelsByRoutePatternAndCarriesRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(logging.New(&logs, "json", "debug"))
	defer slog.SetDefault(prev)
	h := (&Server{}).Handler()

	before := requestCount(t, "GET /v1/applications/{id}")
	req := httptest.NewRequest("GET", "/v1/applications/app-secret-123", nil)
	req.Header.Set("X-Request-Id", "trace-abc.1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status %d", w.Code)
	}
	if got := w.Header().Get("X-Request-Id"); got != "trace-abc.1" {
		t.Fatalf("X-Request-Id %q, want the clean incoming one", got)
	}
	if got := requestCount(t, "GET /v1/applications/{id}"); got != before+1 {
		t.Fatalf("route count %d, want %d", got, before+1)
	}
	for _, r := range routes(t) {
		if strings.Contains(r, "app-secret-123") {
			t.Fatalf("a raw path became a label: %q", r)
		}
	}
	line := logs.String()
	if !strings.Contains(line, `"request_id":"trace-abc.1"`) || !strings.Contains(line, `"route":"GET /v1/applications/{id}"`) ||
		!strings.Contains(line, `"status":401`) || strings.Contains(line, "app-secret-123") {
		t.Fatalf("log record: %s", line)
	}

	// Hostile ids (spaces, newlines, overlong) are replaced with a fresh one.
	for _, bad := range []string{"a b", "x\ny", strings.Repeat("a", 65), "<script>"} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("X-Request-Id", bad)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if got := w.Header().Get("X-Request-Id"); got == bad || !logging.ValidRequestID(got) {
			t.Fatalf("incoming %q: answered %q", bad, got)
		}
	}
	// Two requests without an id get different ones.
	a, b := httptest.NewRecorder(), httptest.NewRecorder()
	h.ServeHTTP(a, httptest.NewRequest("GET", "/healthz", nil))
	h.ServeHTTP(b, httptest.NewRequest("GET", "/healthz", nil))
	if a.Header().Get("X-Request-Id") == "" || a.Header().Get("X-Request-Id") == b.Header().Get("X-Request-Id") {
		t.Fatalf("ids %q %q", a.Header().Get("X-Request-Id"), b.Header().Get("X-Request-Id"))
	}

	// Probing random paths adds no series per path: they fall under a pattern (the pages'
	// catch-all) or "unmatched".
	n := len(routes(t))
	for _, p := range []string{"/wp-admin", "/x/1", "/x/2", "/v1/nothing/here"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	for _, r := range routes(t) {
		if strings.Contains(r, "wp-admin") || strings.Contains(r, "/x/") || strings.Contains(r, "nothing") {
			t.Fatalf("a probed path became a label: %q", r)
		}
	}
	if len(routes(t)) > n+3 {
		t.Fatalf("%d routes after probing (had %d)", len(routes(t)), n)
	}
}

// TestProbesAndMetricsOnTheAPIPort: /livez answers, /readyz answers 503 once draining, and
// /metrics serves the product's series.
func TestProbesAndMetricsOnTheAPIPort(t *testing.T) {
	s := &Server{}
	h := s.Handler()
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{"/livez", 200, "alive"},
		{"/readyz", 200, "ready"},
		{"/metrics", 200, "award_emails_total"},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", c.path, nil))
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
			t.Fatalf("%s: %d %s", c.path, w.Code, w.Body)
		}
	}
	s.Health.Drain()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("draining /readyz: %d %s", w.Code, w.Body)
	}
}
