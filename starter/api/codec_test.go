package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The codec endpoint answers the Temporal Web UI's origin with CORS (credentials included),
// refuses every other origin before anything else, and serves POST /v1/codec/decode only.
// Decoding itself (sign-in, tenant scope, 200/401/403/404) is tested on the real stack
// (integration/encryption_test.go).
func TestCodecEndpointCORS(t *testing.T) {
	h := (&Server{TemporalUI: "http://127.0.0.1:8233"}).Handler()
	do := func(method, path, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(`{"payloads":[]}`))
		if origin != "" {
			r.Header.Set("Origin", origin)
			r.Header.Set("Sec-Fetch-Site", "same-site")
		}
		r.Header.Set("Access-Control-Request-Method", "POST")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := do(http.MethodOptions, "/v1/codec/decode", "http://127.0.0.1:8233")
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8233" ||
		w.Header().Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "X-Namespace") {
		t.Errorf("preflight from the UI: %d %v", w.Code, w.Header())
	}
	for _, origin := range []string{"http://evil.example", "http://127.0.0.1:8080.evil.example", "null"} {
		for _, m := range []string{http.MethodOptions, http.MethodPost} {
			w := do(m, "/v1/codec/decode", origin)
			if w.Code != http.StatusForbidden || w.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s from %s: %d, CORS %q", m, origin, w.Code, w.Header().Get("Access-Control-Allow-Origin"))
			}
		}
	}
	// Only decoding; nobody encodes payloads through the API.
	for _, p := range []string{"/v1/codec/encode", "/v1/codec", "/v1/codec/download"} {
		if w := do(http.MethodPost, p, ""); w.Code != http.StatusNotFound {
			t.Errorf("POST %s: %d", p, w.Code)
		}
	}
	// Without payload keys the endpoint does not exist (after the origin check).
	if w := do(http.MethodPost, "/v1/codec/decode", ""); w.Code != http.StatusNotFound {
		t.Errorf("no keys: %d", w.Code)
	}
	// A Web UI that is not configured answers no origin at all.
	h = (&Server{}).Handler()
	if w := do(http.MethodOptions, "/v1/codec/decode", "http://127.0.0.1:8233"); w.Code != http.StatusForbidden {
		t.Errorf("no UI configured: %d", w.Code)
	}
}
