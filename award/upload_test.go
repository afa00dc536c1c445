package award

import (
	"errors"
	"strings"
	"testing"
)

const validSHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func TestDefaultUploadLimits(t *testing.T) {
	l := DefaultUploadLimits()
	if l.MaxFileBytes != 250*1024*1024 || l.MaxPortfolioBytes != 2*1024*1024*1024 {
		t.Fatalf("limits = %d, %d", l.MaxFileBytes, l.MaxPortfolioBytes)
	}
	want := []string{
		"application/pdf", "application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.oasis.opendocument.presentation",
		"text/plain", "text/csv", "image/jpeg", "image/png", "image/heic", "video/mp4", "audio/mpeg", "audio/mp4",
	}
	have := map[string]bool{}
	for _, a := range l.AllowedTypes {
		have[a] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("default allowed types lack %s", w)
		}
	}
	// A fresh copy each time.
	l.AllowedTypes[0] = "x/y"
	if DefaultUploadLimits().AllowedTypes[0] != "application/pdf" {
		t.Error("DefaultUploadLimits shares its slice")
	}
}

func TestUploadCheck(t *testing.T) {
	const mb = 1024 * 1024
	const gb = 1024 * mb
	ok := Upload{Filename: "Evidence plan.pdf", Size: 1000, ContentType: "application/pdf", SHA256: validSHA}
	with := func(f func(*Upload)) Upload { u := ok; f(&u); return u }
	tests := []struct {
		name      string
		u         Upload
		portfolio int64
		wantField string
		wantMsg   []string // substrings
	}{
		{"ok", ok, 0, "", nil},
		{"exactly 250 MB", with(func(u *Upload) { u.Size = 250 * mb }), 0, "", nil},
		{"250 MB + 1 byte", with(func(u *Upload) { u.Size = 250*mb + 1 }), 0, "size", []string{"too large: 250.1 MB, and the limit is 250 MB per file"}},
		{"1 GB", with(func(u *Upload) { u.Size = gb }), 0, "size", []string{"too large: 1024 MB (1 GB), and the limit is 250 MB per file"}},
		{"empty file", with(func(u *Upload) { u.Size = 0 }), 0, "size", []string{"is empty (0 bytes)"}},
		{"negative size", with(func(u *Upload) { u.Size = -5 }), 0, "size", []string{"invalid size"}},
		{"portfolio reaches exactly 2 GB", with(func(u *Upload) { u.Size = 100 * mb }), 2*gb - 100*mb, "", nil},
		{"portfolio 1 byte over 2 GB", with(func(u *Upload) { u.Size = 100 * mb }), 2*gb - 100*mb + 1, "portfolio", []string{"limit of 2048 MB (2 GB)", "remove some evidence"}},
		{"portfolio already full", with(func(u *Upload) { u.Size = 1 }), 2 * gb, "portfolio", []string{"0 MB free"}},
		{"portfolio over full", with(func(u *Upload) { u.Size = 1 }), 3 * gb, "portfolio", []string{"0 MB free"}},
		{"negative portfolio treated as empty", ok, -10, "", nil},
		{"empty filename", with(func(u *Upload) { u.Filename = "" }), 0, "filename", []string{"filename is required"}},
		{"blank filename", with(func(u *Upload) { u.Filename = "   " }), 0, "filename", []string{"filename is required"}},
		{"unix path", with(func(u *Upload) { u.Filename = "../etc/passwd.pdf" }), 0, "filename", []string{"not a path"}},
		{"windows path", with(func(u *Upload) { u.Filename = `C:\Users\me\plan.pdf` }), 0, "filename", []string{"not a path"}},
		{"dot dot", with(func(u *Upload) { u.Filename = ".." }), 0, "filename", []string{"not a path"}},
		{"control character", with(func(u *Upload) { u.Filename = "plan\n.pdf" }), 0, "filename", []string{"control characters"}},
		{"invalid utf-8", with(func(u *Upload) { u.Filename = "plan\xff.pdf" }), 0, "filename", []string{"UTF-8"}},
		{"too long name", with(func(u *Upload) { u.Filename = strings.Repeat("a", 252) + ".pdf" }), 0, "filename", []string{"too long (256 bytes)"}},
		{"type not allowed", with(func(u *Upload) { u.Filename = "setup.exe"; u.ContentType = "application/x-msdownload" }), 0, "content_type",
			[]string{`"application/x-msdownload" are not allowed`, "allowed types: application/pdf (.pdf)", "image/heic (.heic)", "audio/mpeg (.mp3)"}},
		{"zip not allowed", with(func(u *Upload) { u.Filename = "a.zip"; u.ContentType = "application/zip" }), 0, "content_type", []string{"not allowed"}},
		{"missing type", with(func(u *Upload) { u.ContentType = "" }), 0, "content_type", []string{"is required", "allowed types"}},
		{"malformed type", with(func(u *Upload) { u.ContentType = "pdf" }), 0, "content_type", []string{"not a valid MIME type"}},
		{"extension does not match", with(func(u *Upload) { u.Filename = "photo.png" }), 0, "content_type",
			[]string{`extension ".png"`, "does not match its declared type PDF (application/pdf)", "expected .pdf"}},
		{"no extension", with(func(u *Upload) { u.Filename = "plan" }), 0, "content_type", []string{"has no extension", "name it with .pdf"}},
		{"docx declared as doc", with(func(u *Upload) { u.Filename = "a.docx"; u.ContentType = "application/msword" }), 0, "content_type", []string{"expected .doc"}},
		{"type parameters and case ignored", with(func(u *Upload) { u.Filename = "NOTES.TXT"; u.ContentType = "Text/Plain; charset=utf-8" }), 0, "", nil},
		{"jpeg as .jpg", with(func(u *Upload) { u.Filename = "x.jpg"; u.ContentType = "image/jpeg" }), 0, "", nil},
		{"jpeg as .jpeg", with(func(u *Upload) { u.Filename = "x.JPEG"; u.ContentType = "image/jpeg" }), 0, "", nil},
		{"heic", with(func(u *Upload) { u.Filename = "IMG_0001.HEIC"; u.ContentType = "image/heic" }), 0, "", nil},
		{"m4a", with(func(u *Upload) { u.Filename = "voice.m4a"; u.ContentType = "audio/mp4" }), 0, "", nil},
		{"csv from windows browser", with(func(u *Upload) { u.Filename = "attendance.csv"; u.ContentType = "application/vnd.ms-excel" }), 0, "", nil},
		{"odt", with(func(u *Upload) { u.Filename = "plan.odt"; u.ContentType = "application/vnd.oasis.opendocument.text" }), 0, "", nil},
		{"mp4", with(func(u *Upload) { u.Filename = "clip.mp4"; u.ContentType = "video/mp4" }), 0, "", nil},
		{"missing sha256", with(func(u *Upload) { u.SHA256 = "" }), 0, "sha256", []string{"is required", "64 lowercase hexadecimal"}},
		{"short sha256", with(func(u *Upload) { u.SHA256 = validSHA[:63] }), 0, "sha256", []string{"64 lowercase hexadecimal"}},
		{"long sha256", with(func(u *Upload) { u.SHA256 = validSHA + "0" }), 0, "sha256", []string{"64 lowercase hexadecimal"}},
		{"uppercase sha256", with(func(u *Upload) { u.SHA256 = strings.ToUpper(validSHA) }), 0, "sha256", []string{"lowercase"}},
		{"non-hex sha256", with(func(u *Upload) { u.SHA256 = strings.Repeat("g", 64) }), 0, "sha256", []string{"hexadecimal"}},
	}
	l := DefaultUploadLimits()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.Check(tc.u, tc.portfolio)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Check = %v, want *InputError", err)
			}
			if ie.Field != tc.wantField {
				t.Errorf("field %q, want %q (message %q)", ie.Field, tc.wantField, ie.Message)
			}
			for _, w := range tc.wantMsg {
				if !strings.Contains(ie.Message, w) {
					t.Errorf("message %q\nlacks %q", ie.Message, w)
				}
			}
		})
	}
}

func TestUploadCheckCustomLimits(t *testing.T) {
	l := UploadLimits{MaxFileBytes: 10, MaxPortfolioBytes: 15, AllowedTypes: []string{"application/pdf", "application/x-custom"}}
	u := Upload{Filename: "a.pdf", Size: 10, ContentType: "application/pdf", SHA256: validSHA}
	if err := l.Check(u, 5); err != nil {
		t.Fatalf("at both limits: %v", err)
	}
	if err := l.Check(u, 6); err == nil || err.(*InputError).Field != "portfolio" {
		t.Fatalf("over portfolio: %v", err)
	}
	u.Size = 11
	if err := l.Check(u, 0); err == nil || !strings.Contains(err.Error(), "the limit is 0.0 MB per file") {
		t.Fatalf("over file: %v", err)
	}
	// A type the package does not know accepts any extension; a known type
	// that is not configured is refused.
	u = Upload{Filename: "a.bin", Size: 1, ContentType: "application/x-custom", SHA256: validSHA}
	if err := l.Check(u, 0); err != nil {
		t.Fatalf("custom type: %v", err)
	}
	u = Upload{Filename: "a.png", Size: 1, ContentType: "image/png", SHA256: validSHA}
	if err := l.Check(u, 0); err == nil || !strings.Contains(err.Error(), "allowed types: application/pdf (.pdf), application/x-custom") {
		t.Fatalf("png with custom list: %v", err)
	}
	// Zero limits mean no limit.
	if err := (UploadLimits{AllowedTypes: []string{"image/png"}}).Check(Upload{Filename: "a.png", Size: 1 << 40, ContentType: "image/png", SHA256: validSHA}, 1<<50); err != nil {
		t.Fatalf("unlimited: %v", err)
	}
}

func TestContentTypeFor(t *testing.T) {
	tests := map[string]string{
		"a.pdf": "application/pdf", "A.DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"x.csv": "text/csv", "x.m4a": "audio/mp4", "x.jpeg": "image/jpeg", "x.exe": "", "noext": "",
	}
	for name, want := range tests {
		got, ok := ContentTypeFor(name)
		if got != want || ok != (want != "") {
			t.Errorf("ContentTypeFor(%q) = %q, %v; want %q", name, got, ok, want)
		}
		if ok {
			u := Upload{Filename: name, Size: 1, ContentType: got, SHA256: validSHA}
			if err := DefaultUploadLimits().Check(u, 0); err != nil {
				t.Errorf("inferred type refused: %v", err)
			}
		}
	}
}

func TestFormatMB(t *testing.T) {
	tests := []struct {
		n    int64
		up   bool
		want string
	}{
		{250 * MB, true, "250 MB"},
		{250*MB + 1, true, "250.1 MB"},
		{250*MB + 1, false, "250.0 MB"},
		{MB - 1, true, "1.0 MB"},
		{MB / 2, false, "0.5 MB"},
		{2048 * MB, false, "2048 MB (2 GB)"},
		{0, false, "0 MB"},
	}
	for _, tc := range tests {
		if got := formatMB(tc.n, tc.up); got != tc.want {
			t.Errorf("formatMB(%d, %v) = %q, want %q", tc.n, tc.up, got, tc.want)
		}
	}
}
