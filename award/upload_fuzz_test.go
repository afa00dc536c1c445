package award

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzUploadLimitsCheck: for any declaration, Check either refuses it with an *InputError
// naming one of its fields, or the declaration keeps every promise of the limits: a real file
// name, a size within the file and portfolio limits, an allowed type and a well-formed SHA-256.
func FuzzUploadLimitsCheck(f *testing.F) {
	sha := strings.Repeat("ab", 32)
	f.Add("report.pdf", int64(1000), "application/pdf", sha, int64(0))
	f.Add("photo.JPG", int64(5*MB), "image/jpeg; charset=x", sha, int64(2000*MB))
	f.Add("../etc/passwd", int64(1), "text/plain", sha, int64(0))
	f.Add("a\x00b.txt", int64(1), "text/plain", sha, int64(0))
	f.Add("big.mp4", DefaultMaxFileBytes+1, "video/mp4", sha, int64(0))
	f.Add("x.pdf", int64(1), "application/pdf", strings.ToUpper(sha), int64(-5))
	f.Add("x.pdf", int64(9223372036854775807), "application/pdf", sha, int64(9223372036854775807))
	f.Add("x.csv", int64(10), "application/vnd.ms-excel", sha, DefaultMaxPortfolioBytes-10)
	f.Add("", int64(0), "", "", int64(0))
	f.Fuzz(func(t *testing.T, filename string, size int64, contentType, checksum string, portfolio int64) {
		l := DefaultUploadLimits()
		err := l.Check(Upload{Filename: filename, Size: size, ContentType: contentType, SHA256: checksum}, portfolio)
		if err != nil {
			var in *InputError
			if !errors.As(err, &in) {
				t.Fatalf("not an InputError: %v", err)
			}
			switch in.Field {
			case "filename", "size", "portfolio", "content_type", "sha256":
			default:
				t.Fatalf("unknown field %q", in.Field)
			}
			return
		}
		if !utf8.ValidString(filename) || strings.TrimSpace(filename) == "" || strings.ContainsAny(filename, `/\`) ||
			len(filename) > MaxFilenameBytes || strings.IndexFunc(filename, unicode.IsControl) >= 0 {
			t.Fatalf("accepted filename %q", filename)
		}
		if size <= 0 || size > l.MaxFileBytes {
			t.Fatalf("accepted size %d", size)
		}
		if max(portfolio, 0) > l.MaxPortfolioBytes-size {
			t.Fatalf("accepted %d bytes into a portfolio holding %d", size, portfolio)
		}
		if len(checksum) != 64 || strings.Trim(checksum, "0123456789abcdef") != "" {
			t.Fatalf("accepted checksum %q", checksum)
		}
		if strings.TrimSpace(contentType) == "" {
			t.Fatal("accepted no type")
		}
	})
}
