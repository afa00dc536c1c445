package config

import (
	"strings"
	"testing"
)

func TestSessionCookieSecureUnlessPlainHTTPOnThisMachine(t *testing.T) {
	for _, c := range []struct {
		publicURL, env string
		want           bool
	}{
		{"https://awards.example.gov.uk", "", true},
		{"http://awards.example.gov.uk", "", true}, // plain HTTP elsewhere: still Secure (fix the URL)
		{"http://127.0.0.1:8080", "", false},
		{"http://localhost:8080", "", false},
		{"http://[::1]:8080", "", false},
		{"http://127.0.0.1:8080", "true", true},
		{"https://awards.example.gov.uk", "false", false},
	} {
		t.Setenv("PUBLIC_URL", c.publicURL)
		t.Setenv("SESSION_COOKIE_SECURE", c.env)
		cfg, _ := FromEnv() // missing variables are reported, the cookie setting is still read
		if cfg.SessionCookieSecure != c.want {
			t.Errorf("PUBLIC_URL=%s SESSION_COOKIE_SECURE=%q: Secure %v", c.publicURL, c.env, cfg.SessionCookieSecure)
		}
	}
	t.Setenv("SESSION_COOKIE_SECURE", "maybe")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "SESSION_COOKIE_SECURE") {
		t.Errorf("SESSION_COOKIE_SECURE=maybe: %v", err)
	}
}
