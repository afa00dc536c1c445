package api

import (
	"net/http"
	"strings"

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
