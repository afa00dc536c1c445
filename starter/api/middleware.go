package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"awardengine/logging"
	"awardengine/metrics"
	"awardengine/structs"
)

// protect wraps the routes with what every answer and every request share: security headers
// on every answer, and the check that a request's path and query parameters are clean text
// before any handler (or database query) sees them.
func protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Browsers must not guess a type other than the one we send (a problem document is
		// never run as a script), nor leak the URL (it can hold an application id) to others.
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			// Every /v1/ answer may carry personal data: no shared or browser cache keeps it.
			h.Set("Cache-Control", "no-store")
		}
		if err := structs.CheckPathAndQuery(r.URL.Path, r.URL.Query()); err != nil {
			fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// observe wraps everything (outermost): it gives each request an id (a clean incoming
// X-Request-Id is kept, else a new one; sent back either way, and on every log record made
// with the request's context), times it into award_http_request_duration_seconds under the
// route pattern the mux matched (r.Pattern: never the raw path, which holds ids), and logs it
// with that pattern, its status and duration: at debug level, or as an error for a 5xx.
func observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !logging.ValidRequestID(id) {
			id = logging.NewRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		// The mux sets Pattern on this request value (the ones below pass it on or copy it).
		r = r.WithContext(logging.WithRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		took := time.Since(began)
		metrics.ObserveHTTP(r.Pattern, took)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		}
		route := r.Pattern
		if route == "" {
			route = metrics.UnmatchedRoute
		}
		slog.Log(r.Context(), level, "http request", "method", r.Method, "route", route, "status", sw.status,
			"duration_ms", took.Milliseconds())
	})
}

// statusWriter remembers the status written. Unwrap lets http.ResponseController reach the
// connection (the audit export pushes its write deadline forward through it).
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes streaming answers on.
func (w *statusWriter) Flush() {
	w.wroteHeader = true
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
