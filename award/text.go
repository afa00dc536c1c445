package award

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// TextKind says which characters a piece of free text may hold.
type TextKind int

const (
	// SingleLine text is one line: names, references, email addresses, filenames, short
	// reasons. Names reach email subjects and CSV cells, where a line break ends the field.
	SingleLine TextKind = iota
	// MultiLine text is paragraphs: feedback, notes, rationale. It may hold line feeds (\n),
	// CR LF pairs and tabs, and Unicode's line and paragraph separators.
	MultiLine
)

// CheckText returns nil when s is clean text of its kind, or an *InputError naming field
// and saying what is wrong and where (by character position and code point, never by
// echoing the text, which may be personal). Every kind refuses text that is not valid
// UTF-8 and every control character (C0, DEL and C1, NUL included: PostgreSQL cannot store
// NUL in text at all); a line feed, a CR LF pair and a tab are allowed in MultiLine text
// only, and a lone CR in neither. SingleLine text also refuses U+2028 and U+2029 (line and
// paragraph separators), which some mail clients and spreadsheets treat as line breaks.
func CheckText(field, s string, kind TextKind) error {
	pos := 0 // characters (runes) before i, for the message
	for i := 0; i < len(s); pos++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return inputErr(field, "is not valid UTF-8 text (byte %d)", i+1)
		}
		next := i + size
		lineBreak := r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029'
		switch {
		case kind == MultiLine && (r == '\n' || r == '\t' || r == '\u2028' || r == '\u2029'):
		case kind == MultiLine && r == '\r' && next < len(s) && s[next] == '\n':
		case kind == MultiLine && r == '\r':
			return inputErr(field, "character %d is a carriage return (%s) that is not part of a CR LF line break", pos+1, codePoint(r))
		case lineBreak:
			return inputErr(field, "must be a single line: character %d is a line break (%s)", pos+1, codePoint(r))
		case r == '\t':
			return inputErr(field, "must be a single line: character %d is a tab (%s)", pos+1, codePoint(r))
		case unicode.IsControl(r):
			return inputErr(field, "character %d is a control character (%s), which is not allowed in text", pos+1, codePoint(r))
		}
		i = next
	}
	return nil
}

func codePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }
