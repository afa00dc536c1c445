package objects_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"awardengine/storage/objects"
)

// TestPresignView: PDFs and PNG/JPEG images open in place (inline, with their type), anything
// else downloads as PresignGet's links do; filenames of any script are encoded.
func TestPresignView(t *testing.T) {
	s, err := objects.Open(objects.Config{Endpoint: "127.0.0.1:9", AccessKey: "k", SecretKey: "secretsecret", Bucket: "evidence"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		contentType, filename string
		disposition, rtype    string
	}{
		{"application/pdf", "plan.pdf", `inline; filename=plan.pdf`, "application/pdf"},
		{"image/PNG", "photo of the wall.png", `inline; filename="photo of the wall.png"`, "image/png"},
		{"image/jpeg", "café.jpg", `inline; filename*=utf-8''caf%C3%A9.jpg`, "image/jpeg"},
		{"image/heic", "photo.heic", `attachment; filename="photo.heic"`, ""},
		{"image/svg+xml", "x.svg", `attachment; filename="x.svg"`, ""},
		{"text/html", "x.html", `attachment; filename="x.html"`, ""},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "plan.docx", `attachment; filename="plan.docx"`, ""},
	}
	for _, tt := range tests {
		link, exp, err := s.PresignView(context.Background(), "tenants/t/applications/a/evidence/e", tt.filename, tt.contentType, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if got := q.Get("response-content-disposition"); got != tt.disposition {
			t.Errorf("%s: disposition %q, want %q", tt.contentType, got, tt.disposition)
		}
		if got := q.Get("response-content-type"); got != tt.rtype {
			t.Errorf("%s: response type %q, want %q", tt.contentType, got, tt.rtype)
		}
		if time.Until(exp) > 5*time.Minute || time.Until(exp) < 4*time.Minute {
			t.Errorf("%s: expires %v", tt.contentType, exp)
		}
	}
}

func TestInline(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/pdf": true, "application/pdf; charset=binary": true, "image/jpeg": true, "image/png": true,
		"image/svg+xml": false, "image/heic": false, "text/plain": false, "": false, "nonsense": false,
	} {
		if got := objects.Inline(ct); got != want {
			t.Errorf("Inline(%q) = %v, want %v", ct, got, want)
		}
	}
}
