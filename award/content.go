package award

import (
	"slices"
	"strings"
)

// Which real types (told from a file's magic numbers, as the sniffing library names them) may
// be kept under which declared type. A declared type is what the person's device said; the
// real type is what the bytes are. They need not be equal: a .doc may only be recognisable as
// a generic OLE compound file, a .docx as a zip archive (its telling entry can lie beyond the
// bytes read), a phone's .mp4 may be a QuickTime movie, and a CSV is plain text.
var (
	zipArchive = "application/zip"
	oleFile    = "application/x-ole-storage"
	textual    = []string{"text/plain", "text/csv", "text/tab-separated-values", "text/calendar", "text/vcard",
		"text/vtt", "application/x-subrip", "application/json", "application/x-ndjson", "text/xml", "application/xml"}
	isoMedia  = []string{"video/mp4", "video/x-m4v", "video/quicktime", "audio/mp4", "audio/x-m4a"}
	heifImage = []string{"image/heic", "image/heic-sequence", "image/heif", "image/heif-sequence"}

	realTypes = map[string][]string{
		"application/pdf":    {"application/pdf"},
		"application/msword": {"application/msword", oleFile},
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipArchive},
		"application/vnd.ms-excel": append([]string{"application/vnd.ms-excel", oleFile}, textual...), // Windows declares .csv so
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", zipArchive},
		"application/vnd.ms-powerpoint":                                             {"application/vnd.ms-powerpoint", oleFile},
		"application/vnd.openxmlformats-officedocument.presentationml.presentation": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", zipArchive},
		"application/vnd.oasis.opendocument.text":                                   {"application/vnd.oasis.opendocument.text", zipArchive},
		"application/vnd.oasis.opendocument.spreadsheet":                            {"application/vnd.oasis.opendocument.spreadsheet", zipArchive},
		"application/vnd.oasis.opendocument.presentation":                           {"application/vnd.oasis.opendocument.presentation", zipArchive},
		"text/plain":  textual,
		"text/csv":    textual,
		"image/jpeg":  {"image/jpeg"},
		"image/png":   {"image/png", "image/apng"},
		"image/heic":  heifImage,
		"image/heif":  heifImage,
		"video/mp4":   isoMedia,
		"audio/mp4":   isoMedia,
		"audio/x-m4a": isoMedia,
		"audio/mpeg":  {"audio/mpeg"},
	}

	// programs are never evidence, whatever they were declared as.
	programs = []string{
		"application/x-elf", "application/x-executable", "application/x-sharedlib", "application/x-object",
		"application/x-coredump", "application/x-mach-binary", "application/vnd.microsoft.portable-executable",
		"application/x-msdownload", "application/x-dosexec", "application/x-ms-installer",
		"application/java-archive", "application/x-java-applet", "application/vnd.android.package-archive",
		"application/wasm", "application/x-bytecode.python", "text/x-shellscript", "text/javascript",
		"text/x-php", "text/x-perl", "text/x-python", "text/x-ruby", "text/x-lua", "text/x-tcl",
	}

	unrecognised = "application/octet-stream"
)

// ContentMatches says whether bytes whose real type is sniffed may be kept as a file declared
// as declared (both MIME types; parameters and case are ignored):
//
//   - a program (an ELF or Windows executable, a script, a Java archive, ...) never matches;
//   - a type in the table above matches the real types listed for it, and nothing else (so a
//     PDF must really be a PDF);
//   - any other declared type (one a tenant allowed beyond the defaults) matches the same
//     real type, any text for a text/* declaration, and bytes the library cannot recognise.
func ContentMatches(declared, sniffed string) bool {
	declared, sniffed = bareType(declared), bareType(sniffed)
	if slices.Contains(programs, sniffed) {
		return false
	}
	if accepted, known := realTypes[declared]; known {
		return slices.Contains(accepted, sniffed)
	}
	return sniffed == declared || sniffed == unrecognised ||
		(strings.HasPrefix(declared, "text/") && slices.Contains(textual, sniffed))
}

// CheckContent returns nil if ContentMatches, or an *InputError (field "content_type") that
// names both types (not the file's name), e.g. `the uploaded file is an executable program
// (application/x-executable) but was declared as PDF (application/pdf); upload the real
// file, or declare its real type`.
func CheckContent(declared, sniffed string) error {
	if ContentMatches(declared, sniffed) {
		return nil
	}
	d, s := bareType(declared), bareType(sniffed)
	// The filename stays out of the message: it can name a child, and refusals are kept in
	// the journey's history.
	return inputErr("content_type", "the uploaded file is %s (%s) but was declared as %s (%s); upload the real file, or declare its real type",
		describeReal(s), s, describeDeclared(d), d)
}

func describeReal(t string) string {
	switch {
	case slices.Contains(programs, t):
		return "an executable program"
	case t == unrecognised:
		return "of no recognised type"
	case t == zipArchive:
		return "a zip archive"
	}
	if ft, ok := lookupType(t); ok {
		return article(ft.name) + " " + ft.name + " file"
	}
	if i := strings.IndexByte(t, '/'); i > 0 {
		return "a file of type " + t[i+1:]
	}
	return "a file of another type"
}

func describeDeclared(t string) string {
	if ft, ok := lookupType(t); ok {
		return ft.name
	}
	return "type " + t
}

// article is "an" before a vowel sound ("an MP3", "an Excel"), else "a".
func article(name string) string {
	if name == "" {
		return "a"
	}
	acronym := len(name) > 1 && name[1] >= 'A' && name[1] <= 'Z'
	if strings.ContainsRune("AEIOUaeiou", rune(name[0])) || (acronym && strings.ContainsRune("FHLMNRSX", rune(name[0]))) {
		return "an"
	}
	return "a"
}

// bareType is a MIME type without parameters, in lower case.
func bareType(t string) string {
	t, _, _ = strings.Cut(t, ";")
	return strings.ToLower(strings.TrimSpace(t))
}
