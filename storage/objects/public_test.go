package objects_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"awardengine/storage/objects"
)

// TestPublicURLSignsLinksForBrowsers: with a public URL, every presigned link (download, view,
// upload, form) and the Content-Security-Policy origin name the public host over its scheme,
// not the internal endpoint the processes use; without one they name the endpoint.
func TestPublicURLSignsLinksForBrowsers(t *testing.T) {
	ctx := context.Background()
	cfg := objects.Config{Endpoint: "minio.storage.svc:9000", AccessKey: "k", SecretKey: "secretsecret", Bucket: "awards"}
	for _, tt := range []struct{ publicURL, want string }{
		{"", "http://minio.storage.svc:9000"},
		{"https://files.awards.example.gov.uk", "https://files.awards.example.gov.uk"},
		{"https://files.awards.example.gov.uk:8443/", "https://files.awards.example.gov.uk:8443"},
	} {
		cfg.PublicURL = tt.publicURL
		s, err := objects.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Origin(); got != tt.want {
			t.Errorf("%q: origin %s, want %s", tt.publicURL, got, tt.want)
		}
		get, _, err := s.PresignGet(ctx, "k/evidence", "a.pdf", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		view, _, err := s.PresignView(ctx, "k/evidence", "a.pdf", "application/pdf", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		put, err := s.PresignPut(ctx, "k/evidence", "application/pdf", 10, strings.Repeat("ab", 32), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		form, err := s.PresignPost(ctx, "app1", 100, "https://awards.example.gov.uk/back", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for name, link := range map[string]string{"get": get, "view": view, "put": put.URL, "post": form.URL} {
			if !strings.HasPrefix(link, tt.want+"/awards") {
				t.Errorf("%q: %s link %s, want it on %s", tt.publicURL, name, link, tt.want)
			}
		}
	}
	for _, bad := range []string{"files.example.gov.uk", "ftp://files.example.gov.uk", "https://files.example.gov.uk/awards", "https://u:p@files.example.gov.uk", "https://"} {
		cfg.PublicURL = bad
		if _, err := objects.Open(cfg); err == nil {
			t.Errorf("public URL %q accepted", bad)
		}
	}
}
