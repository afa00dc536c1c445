package certificate

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func sample() Certificate {
	return Certificate{
		Number:      "APP-2026-000123",
		TenantName:  "Northshire County Council",
		SettingName: "Oakfield Primary School",
		Reference:   "URN 123456",
		AwardTitle:  "Caring Schools Award",
		LevelTitle:  "Silver",
		AwardedOn:   time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC),
		ValidUntil:  time.Date(2029, 11, 23, 14, 5, 0, 0, time.UTC),
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Certificate)
		wants []string // literal text expected in the uncompressed PDF
	}{
		{"plain", func(*Certificate) {}, []string{
			"Northshire County Council", "certifies that", "Oakfield Primary School",
			`\(URN 123456\)`, "Silver level", "of the Caring Schools Award",
			"Awarded on 23 November 2026", "Valid until 23 November 2029",
			"Certificate number APP-2026-000123",
		}},
		{"no reference", func(c *Certificate) { c.Reference = "" }, []string{"Oakfield Primary School"}},
		// A summer decision at 23:30 UTC is the next day in London.
		{"London date", func(c *Certificate) { c.AwardedOn = time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC) },
			[]string{"Awarded on 1 July 2026"}},
		// cp1252: ’ is 0x92 and ë is 0xEB; & passes through unchanged.
		{"non-ASCII names", func(c *Certificate) {
			c.SettingName = "St Mary's & St John’s C of E"
			c.TenantName = "Zoë’s Borough"
		}, []string{"St Mary's & St John\x92s C of E", "Zo\xeb\x92s Borough"}},
		// Shrinks to two lines rather than running into the dates.
		{"very long name", func(c *Certificate) {
			c.SettingName = strings.Repeat("Saint Bartholomew-the-Great ", 6) + "School"
		}, []string{"Awarded on 23 November 2026"}},
		{"runes outside cp1252", func(c *Certificate) { c.SettingName = "Łódź 学校 🏫" }, nil},
		{"parentheses are escaped", func(c *Certificate) { c.SettingName = "Ash (Infant) School" },
			[]string{`Ash \(Infant\) School`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sample()
			tt.edit(&c)
			b, err := Render(c)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("does not start with %%PDF-: %q", b[:min(len(b), 16)])
			}
			if !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
				t.Errorf("does not end with %%%%EOF")
			}
			for _, w := range tt.wants {
				if !bytes.Contains(b, []byte(w)) {
					t.Errorf("PDF lacks %q", w)
				}
			}
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, err := Render(sample())
	if err != nil {
		t.Fatal(err)
	}
	// The same instant in another zone must not change the bytes either.
	c := sample()
	c.AwardedOn = c.AwardedOn.In(time.FixedZone("X", 5*3600))
	b, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same certificate differ")
	}
	if !bytes.Contains(a, []byte("D:20261123140500")) {
		t.Error("creation date is not AwardedOn")
	}
}

func TestRenderValidation(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Certificate)
		wants []string // substrings of the error
	}{
		{"number", func(c *Certificate) { c.Number = "" }, []string{"Number"}},
		{"tenant", func(c *Certificate) { c.TenantName = " " }, []string{"TenantName"}},
		{"setting", func(c *Certificate) { c.SettingName = "" }, []string{"SettingName"}},
		{"award", func(c *Certificate) { c.AwardTitle = "" }, []string{"AwardTitle"}},
		{"level", func(c *Certificate) { c.LevelTitle = "" }, []string{"LevelTitle"}},
		{"awarded on", func(c *Certificate) { c.AwardedOn = time.Time{} }, []string{"AwardedOn"}},
		{"valid until", func(c *Certificate) { c.ValidUntil = time.Time{} }, []string{"ValidUntil"}},
		{"several at once", func(c *Certificate) { *c = Certificate{Reference: "x"} },
			[]string{"Number", "TenantName", "SettingName", "AwardTitle", "LevelTitle", "AwardedOn", "ValidUntil"}},
		{"expiry not after award", func(c *Certificate) { c.ValidUntil = c.AwardedOn }, []string{"ValidUntil must be after AwardedOn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sample()
			tt.edit(&c)
			b, err := Render(c)
			if err == nil {
				t.Fatalf("Render succeeded (%d bytes), want an error", len(b))
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
