package award

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckText(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		kind  TextKind
		wrong string // "" = accepted; else a part of the message
	}{
		{"plain name", "Amaka O'Neill-Smith", SingleLine, ""},
		{"accents and emoji", "Zoë Brontë 🌟 — Ærøskøbing", SingleLine, ""},
		{"empty", "", SingleLine, ""},
		{"NUL in a name", "a\x00b", SingleLine, "character 2 is a control character (U+0000)"},
		{"NUL in a note", "a\x00b", MultiLine, "character 2 is a control character (U+0000)"},
		{"bell", "ring\a", MultiLine, "U+0007"},
		{"escape", "\x1b[31mred", SingleLine, "U+001B"},
		{"DEL", "x\x7f", SingleLine, "U+007F"},
		{"C1 NEL", "x\u0085y", MultiLine, "U+0085"},
		{"LF in a name", "Evil\nBcc: x", SingleLine, "must be a single line: character 5 is a line break (U+000A)"},
		{"CR in a name", "Evil\rX", SingleLine, "line break (U+000D)"},
		{"CRLF in a name", "Evil\r\nX", SingleLine, "line break (U+000D)"},
		{"line separator in a name", "a\u2028b", SingleLine, "line break (U+2028)"},
		{"paragraph separator in a name", "a\u2029b", SingleLine, "line break (U+2029)"},
		{"tab in a name", "a\tb", SingleLine, "tab (U+0009)"},
		{"paragraphs", "First line.\nSecond.\r\n\r\nNew paragraph.\tIndented.", MultiLine, ""},
		{"separators in paragraphs", "a\u2028b\u2029c", MultiLine, ""},
		{"lone CR", "a\rb", MultiLine, "carriage return (U+000D) that is not part of a CR LF"},
		{"CR at the end", "a\r", MultiLine, "carriage return"},
		{"invalid UTF-8", "ab\xffc", SingleLine, "not valid UTF-8 text (byte 3)"},
		{"truncated UTF-8", "é"[:1], MultiLine, "not valid UTF-8"},
		{"position counts characters", "ééé\x00", SingleLine, "character 4 "},
		{"U+FFFD itself is fine", "a\uFFFDb", SingleLine, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckText("note", c.text, c.kind)
			if c.wrong == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var in *InputError
			if !errors.As(err, &in) {
				t.Fatalf("want an *InputError containing %q, got %v", c.wrong, err)
			}
			if in.Field != "note" || !strings.Contains(in.Message, c.wrong) {
				t.Fatalf("want field note and %q, got %q: %q", c.wrong, in.Field, in.Message)
			}
			if strings.ContainsAny(in.Message, "\x00\r\n\x1b") {
				t.Fatalf("the message repeats a control character: %q", in.Message)
			}
		})
	}
}

// FuzzCheckText holds the rule's promises for any input: accepted text is valid UTF-8 without
// NUL (what PostgreSQL needs), single-line text has no line break, and a refusal is an
// *InputError whose message never repeats the text.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x00b", "a\r\nb", "a\rb", "a\u2028b", "\xff", "ééé\t"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multi bool) {
		kind := SingleLine
		if multi {
			kind = MultiLine
		}
		err := CheckText("f", s, kind)
		if err != nil {
			var in *InputError
			if !errors.As(err, &in) || in.Field != "f" {
				t.Fatalf("not an InputError for f: %v", err)
			}
			if len(s) > 8 && strings.Contains(in.Message, s) {
				t.Fatalf("the message repeats the text")
			}
			return
		}
		if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			t.Fatalf("accepted %q", s)
		}
		if kind == SingleLine && strings.ContainsAny(s, "\r\n\t\u2028\u2029") {
			t.Fatalf("accepted a line break in single-line text: %q", s)
		}
	})
}
