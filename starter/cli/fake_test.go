package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeAPI plays the award API (and object storage) for client unit tests.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server
	mux *http.ServeMux

	mu   sync.Mutex
	seen []seenRequest
}

type seenRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Length int64
}

func newFake(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, mux: http.NewServeMux()}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.seen = append(f.seen, seenRequest{r.Method, r.URL.Path, r.Header.Clone(), body, r.ContentLength})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	t.Setenv("AWARD_API_URL", f.srv.URL)
	t.Setenv("AWARD_TOKEN", "tok-applicant")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no token saved by a real 'starter login' leaks in
	return f
}

func (f *fakeAPI) handle(pattern string, h http.HandlerFunc) { f.mux.HandleFunc(pattern, h) }

// requests returns the requests seen so far with the given method and path.
func (f *fakeAPI) requests(method, path string) []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seenRequest
	for _, r := range f.seen {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// run executes the CLI and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// sampleApplication is an application as GET /v1/applications/{id} returns it.
func sampleApplication(id, stage string) map[string]any {
	return map[string]any{
		"id":        id,
		"tenant_id": "tenant-1",
		"setting":   map[string]any{"reference": "URN123456", "name": "Oakfield Primary"},
		"track":     "caring_schools",
		"variant":   "primary",
		"framework": map[string]any{"id": "cs-primary", "version": 3, "title": "Caring Schools (primary)", "sample": true},
		"stage":     stage,
		"next":      map[string]any{"action": "Open the toolkit", "who": "applicant", "due_at": "2030-01-15T09:00:00Z"},
		"evidence": []map[string]any{{
			"id": "ev-1", "filename": "policy.pdf", "size": 2048, "content_type": "application/pdf",
			"sha256": "ab", "standards": []string{"LD1", "LD2"}, "state": "confirmed", "immutable": false,
		}},
		"registered_at":   "2025-03-01T10:00:00Z",
		"portfolio_bytes": 2048,
		"missing": map[string][]string{
			"bronze": {}, "silver": {"RB3"}, "gold": {"RB3", "WB4"},
		},
		"flags": []string{},
	}
}
