package award

import (
	"fmt"
	"mime"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MB is the unit the upload limits are stated in (a mebibyte, 2^20 bytes).
const MB int64 = 1 << 20

// Default upload limits (SPEC §6).
const (
	DefaultMaxFileBytes      int64 = 250 * MB  // 262,144,000 bytes
	DefaultMaxPortfolioBytes int64 = 2048 * MB // 2 GB = 2,147,483,648 bytes
	MaxFilenameBytes               = 255
)

// UploadLimits are the per-tenant rules for evidence files.
type UploadLimits struct {
	MaxFileBytes      int64
	MaxPortfolioBytes int64
	AllowedTypes      []string // MIME types, lower case, without parameters
}

// fileType is one allowed evidence type and the filename extensions that may
// carry it.
type fileType struct {
	mime string
	exts []string
	name string
}

// knownTypes are the types evidence may have by default, in display order.
var knownTypes = []fileType{
	{"application/pdf", []string{".pdf"}, "PDF"},
	{"application/msword", []string{".doc"}, "Word"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}, "Word"},
	// Browsers on Windows often declare .csv files as application/vnd.ms-excel.
	{"application/vnd.ms-excel", []string{".xls", ".csv"}, "Excel"},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}, "Excel"},
	{"application/vnd.ms-powerpoint", []string{".ppt"}, "PowerPoint"},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{".pptx"}, "PowerPoint"},
	{"application/vnd.oasis.opendocument.text", []string{".odt"}, "OpenDocument text"},
	{"application/vnd.oasis.opendocument.spreadsheet", []string{".ods"}, "OpenDocument spreadsheet"},
	{"application/vnd.oasis.opendocument.presentation", []string{".odp"}, "OpenDocument presentation"},
	{"text/plain", []string{".txt"}, "plain text"},
	{"text/csv", []string{".csv"}, "CSV"},
	{"image/jpeg", []string{".jpg", ".jpeg"}, "JPEG"},
	{"image/png", []string{".png"}, "PNG"},
	{"image/heic", []string{".heic"}, "HEIC"},
	{"video/mp4", []string{".mp4"}, "MP4 video"},
	{"audio/mpeg", []string{".mp3"}, "MP3"},
	{"audio/mp4", []string{".m4a"}, "M4A"},
	{"audio/x-m4a", []string{".m4a"}, "M4A"}, // what several browsers send for .m4a
}

func lookupType(mimeType string) (fileType, bool) {
	for _, t := range knownTypes {
		if t.mime == mimeType {
			return t, true
		}
	}
	return fileType{}, false
}

// DefaultUploadLimits returns 250 MB per file, 2 GB per portfolio, and the
// default types: PDF, Word (.doc, .docx), Excel (.xls, .xlsx), PowerPoint
// (.ppt, .pptx), OpenDocument text/spreadsheet/presentation, plain text, CSV,
// JPEG, PNG, HEIC, MP4, MP3 and M4A.
func DefaultUploadLimits() UploadLimits {
	types := make([]string, len(knownTypes))
	for i, t := range knownTypes {
		types[i] = t.mime
	}
	return UploadLimits{
		MaxFileBytes:      DefaultMaxFileBytes,
		MaxPortfolioBytes: DefaultMaxPortfolioBytes,
		AllowedTypes:      types,
	}
}

// ContentTypeFor returns the default MIME type for a filename's extension
// (case-insensitive), for when a browser declares none or
// application/octet-stream. False if the extension is not a known type.
func ContentTypeFor(filename string) (string, bool) {
	ext := strings.ToLower(path.Ext(filename))
	if ext == "" {
		return "", false
	}
	if ext == ".csv" {
		return "text/csv", true
	}
	for _, t := range knownTypes {
		for _, e := range t.exts {
			if e == ext {
				return t.mime, true
			}
		}
	}
	return "", false
}

// Upload describes one evidence file a person wants to add.
type Upload struct {
	Filename    string // base name only, as the person's device named it
	Size        int64  // bytes
	ContentType string // declared MIME type; parameters such as "; charset=utf-8" are ignored
	SHA256      string // lowercase hex checksum of the content, computed by the client
}

// Check returns nil if u may be added to a portfolio currently holding
// portfolioBytes, or an *InputError for the first problem found, in this
// order:
//
//   - "filename": empty, a path (contains / or \, or is . or ..), control
//     characters, not valid UTF-8, or longer than 255 bytes;
//   - "size": negative, empty (0 bytes) or larger than MaxFileBytes;
//   - "portfolio": portfolioBytes+Size would exceed MaxPortfolioBytes (portfolioBytes
//     counts every file held or on its way: confirmed and declared-but-unconfirmed);
//   - "content_type": missing, malformed or not in AllowedTypes (the allowed
//     types are listed), or the filename's extension does not match it (for
//     a type this package does not know, any extension is accepted);
//   - "sha256": not exactly 64 lowercase hexadecimal characters.
//
// A limit of zero or less means "no limit".
func (l UploadLimits) Check(u Upload, portfolioBytes int64) error {
	if err := checkFilename(u.Filename); err != nil {
		return err
	}
	switch {
	case u.Size < 0:
		return inputErr("size", "file %q has an invalid size (%d bytes)", u.Filename, u.Size)
	case u.Size == 0:
		return inputErr("size", "file %q is empty (0 bytes); choose a file with content", u.Filename)
	case l.MaxFileBytes > 0 && u.Size > l.MaxFileBytes:
		return inputErr("size", "file %q is too large: %s, and the limit is %s per file",
			u.Filename, formatMB(u.Size, true), formatMB(l.MaxFileBytes, false))
	}
	if portfolioBytes < 0 {
		portfolioBytes = 0
	}
	if l.MaxPortfolioBytes > 0 && portfolioBytes > l.MaxPortfolioBytes-u.Size {
		free := max(l.MaxPortfolioBytes-portfolioBytes, 0)
		return inputErr("portfolio", "adding file %q (%s) would take the portfolio over its limit of %s: it already holds %s (counting files declared but not yet confirmed), leaving %s free; remove some evidence first",
			u.Filename, formatMB(u.Size, true), formatMB(l.MaxPortfolioBytes, false), formatMB(portfolioBytes, true), formatMB(free, false))
	}
	if err := l.checkType(u); err != nil {
		return err
	}
	if !isLowerHex64(u.SHA256) {
		if u.SHA256 == "" {
			return inputErr("sha256", "the SHA-256 checksum of file %q is required (64 lowercase hexadecimal characters)", u.Filename)
		}
		return inputErr("sha256", "the SHA-256 checksum of file %q must be 64 lowercase hexadecimal characters, got %q", u.Filename, truncate(u.SHA256, 80))
	}
	return nil
}

func checkFilename(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return inputErr("filename", "filename is required")
	case !utf8.ValidString(name):
		return inputErr("filename", "filename %q is not valid UTF-8 text", name)
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return inputErr("filename", "filename %q must be a file name only, not a path (no / or \\)", name)
	case len(name) > MaxFilenameBytes:
		return inputErr("filename", "filename %q is too long (%d bytes); the limit is %d bytes", truncate(name, 60), len(name), MaxFilenameBytes)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return inputErr("filename", "filename %q contains control characters", name)
		}
	}
	return nil
}

func (l UploadLimits) checkType(u Upload) error {
	if strings.TrimSpace(u.ContentType) == "" {
		return inputErr("content_type", "the type of file %q is required; allowed types: %s", u.Filename, l.describeAllowed())
	}
	mt, _, err := mime.ParseMediaType(u.ContentType)
	if err != nil || !strings.Contains(mt, "/") {
		return inputErr("content_type", "the type %q of file %q is not a valid MIME type; allowed types: %s", u.ContentType, u.Filename, l.describeAllowed())
	}
	allowed := false
	for _, a := range l.AllowedTypes {
		if strings.EqualFold(strings.TrimSpace(a), mt) {
			allowed = true
			break
		}
	}
	if !allowed {
		return inputErr("content_type", "files of type %q are not allowed (file %q); allowed types: %s", mt, u.Filename, l.describeAllowed())
	}
	t, known := lookupType(mt)
	if !known {
		return nil
	}
	ext := strings.ToLower(path.Ext(u.Filename))
	for _, e := range t.exts {
		if e == ext {
			return nil
		}
	}
	if ext == "" {
		return inputErr("content_type", "file %q has no extension but is declared as %s (%s); name it with %s",
			u.Filename, t.name, mt, strings.Join(t.exts, " or "))
	}
	return inputErr("content_type", "file %q has extension %q, which does not match its declared type %s (%s); expected %s",
		u.Filename, ext, t.name, mt, strings.Join(t.exts, " or "))
}

// describeAllowed lists the allowed types, e.g. "application/pdf (.pdf), ...".
func (l UploadLimits) describeAllowed() string {
	if len(l.AllowedTypes) == 0 {
		return "none (no file types are configured)"
	}
	parts := make([]string, 0, len(l.AllowedTypes))
	for _, a := range l.AllowedTypes {
		a = strings.ToLower(strings.TrimSpace(a))
		if t, ok := lookupType(a); ok {
			parts = append(parts, fmt.Sprintf("%s (%s)", a, strings.Join(t.exts, ", ")))
		} else {
			parts = append(parts, a)
		}
	}
	return strings.Join(parts, ", ")
}

// formatMB writes a byte count in MB (2^20 bytes), e.g. "250 MB",
// "2048 MB (2 GB)", "250.1 MB". A count that is not a whole number of MB is
// shown to 0.1 MB, rounded up if roundUp (so a size just over a limit never
// reads as the limit) and down otherwise (so free space is never overstated).
func formatMB(n int64, roundUp bool) string {
	if n%MB == 0 {
		s := strconv.FormatInt(n/MB, 10) + " MB"
		if n >= 1024*MB && n%(1024*MB) == 0 {
			s += " (" + strconv.FormatInt(n/(1024*MB), 10) + " GB)"
		}
		return s
	}
	whole, rest := n/MB, n%MB
	tenths := rest * 10 / MB
	if roundUp {
		tenths = (rest*10 + MB - 1) / MB
	}
	if tenths == 10 {
		whole, tenths = whole+1, 0
	}
	return fmt.Sprintf("%d.%d MB", whole, tenths)
}

func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// cut on a rune boundary
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
