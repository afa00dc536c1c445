package award

import (
	"errors"
	"strings"
	"testing"
)

func TestContentMatches(t *testing.T) {
	const (
		pdf  = "application/pdf"
		docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		odt  = "application/vnd.oasis.opendocument.text"
		elf  = "application/x-executable"
	)
	tests := []struct {
		declared, sniffed string
		want              bool
	}{
		{pdf, pdf, true},
		{"Application/PDF; name=x", "application/pdf", true},
		{pdf, "application/octet-stream", false}, // a PDF must really be a PDF
		{pdf, "text/plain; charset=utf-8", false},
		{pdf, elf, false},
		{pdf, "application/x-elf", false},
		{docx, docx, true},
		{docx, "application/zip", true}, // the telling entry lay beyond the bytes read
		{docx, xlsx, false},
		{docx, "application/java-archive", false},
		{xlsx, xlsx, true},
		{pptx, "application/zip", true},
		{odt, odt, true},
		{odt, "application/zip", true},
		{"application/msword", "application/msword", true},
		{"application/msword", "application/x-ole-storage", true},
		{"application/msword", "application/x-ms-installer", false},
		{"application/vnd.ms-excel", "text/csv", true}, // Windows declares .csv files so
		{"text/plain", "text/plain; charset=utf-8", true},
		{"text/plain", "text/csv", true},
		{"text/csv", "text/plain; charset=utf-8", true},
		{"text/csv", "text/tab-separated-values", true},
		{"text/plain", "text/x-shellscript", false},
		{"text/plain", "text/html; charset=utf-8", false},
		{"text/plain", pdf, false},
		{"image/jpeg", "image/jpeg", true},
		{"image/jpeg", "image/png", false},
		{"image/png", "image/png", true},
		{"image/heic", "image/heif", true},
		{"image/heic", "image/heic-sequence", true},
		{"video/mp4", "video/mp4", true},
		{"video/mp4", "video/quicktime", true},
		{"audio/mp4", "audio/x-m4a", true},
		{"audio/x-m4a", "video/mp4", true},
		{"audio/mpeg", "audio/mpeg", true},
		{"audio/mpeg", "video/mp4", false},
		// Types a tenant allowed beyond the defaults.
		{"image/gif", "image/gif", true},
		{"image/gif", "image/png", false},
		{"application/x-custom", "application/octet-stream", true},
		{"application/x-custom", elf, false},
		{"text/markdown", "text/plain; charset=utf-8", true},
		{"text/markdown", "text/x-python", false},
		// Programs never pass, whatever they are declared as.
		{"application/vnd.microsoft.portable-executable", "application/vnd.microsoft.portable-executable", false},
		{"application/x-executable", elf, false},
		{"application/octet-stream", "application/x-mach-binary", false},
	}
	for _, tc := range tests {
		if got := ContentMatches(tc.declared, tc.sniffed); got != tc.want {
			t.Errorf("ContentMatches(%q, %q) = %v, want %v", tc.declared, tc.sniffed, got, tc.want)
		}
	}
}

func TestCheckContentNamesBothTypes(t *testing.T) {
	if err := CheckContent("application/pdf", "application/pdf"); err != nil {
		t.Fatal(err)
	}
	err := CheckContent("application/pdf", "application/x-executable")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "content_type" {
		t.Fatalf("want an InputError for content_type, got %v", err)
	}
	want := `the uploaded file is an executable program (application/x-executable) but was declared as PDF (application/pdf)`
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("message %q\nwant prefix %q", err, want)
	}
	for _, tc := range []struct{ declared, sniffed, says string }{
		{"image/jpeg", "image/png", "is a PNG file (image/png) but was declared as JPEG (image/jpeg)"},
		{"audio/mpeg", "video/mp4", "is an MP4 video file (video/mp4) but was declared as MP3 (audio/mpeg)"},
		{"application/pdf", "application/octet-stream", "is of no recognised type (application/octet-stream)"},
		{"application/pdf", "text/plain; charset=utf-8", "is a plain text file (text/plain)"},
		{"image/gif", "image/webp", "is a file of type webp (image/webp) but was declared as type image/gif"},
	} {
		if err := CheckContent(tc.declared, tc.sniffed); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("CheckContent(%s, %s) = %v, want it to say %q", tc.declared, tc.sniffed, err, tc.says)
		}
	}
}
