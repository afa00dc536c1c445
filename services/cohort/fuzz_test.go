package cohort

import (
	"strings"
	"testing"

	"awardengine/award"
)

// FuzzParse: any bytes give either good rows (every required value present and clean, lines
// in order) or problems (each at a line of the file), never both, never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(header + "100001,Oak Primary,caring_schools,primary,,Ann Head,ann@oak.example,,\n"))
	f.Add([]byte(header + `FH-7,"Smith, household",learning_homes,first_year_foster,2026-01-15,Jo,jo@h.example,sw@c.example,Sue` + "\n"))
	f.Add([]byte(header + "=cmd|' /C calc'!A0,\"=HYPERLINK(\"\"x\"\")\",learning_homes,childminder,,+F,f@x.example,,\r\n"))
	f.Add([]byte(header + "1,O\"ak,caring_schools,primary,,Ann,x@oak.example,,\n"))
	f.Add([]byte(header + "1,\"Oak\nTree\",caring_schools,primary,,Ann,a@b.example,,\n1,Oak\n"))
	f.Add([]byte("\uFEFFsetting_reference,setting_reference\n\x00,\xff\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problems := Parse(strings.NewReader(string(data)), now)
		if (rows == nil) == (problems == nil) {
			t.Fatalf("rows %d and problems %d: exactly one must be given", len(rows), len(problems))
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, p := range problems {
			if p.Line < 1 || p.Line > lines+1 || p.Message == "" {
				t.Fatalf("problem outside the file or without a reason: %+v (file of %d lines)", p, lines)
			}
		}
		last := 1
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("row lines out of order: %d after %d", r.Line, last)
			}
			last = r.Line
			for col, v := range map[string]string{ColSettingReference: r.SettingReference, ColSettingName: r.SettingName,
				ColApplicantName: r.ApplicantName, ColApplicantEmail: r.ApplicantEmail} {
				if v == "" {
					t.Fatalf("line %d: %s empty in a good row", r.Line, col)
				}
				if err := award.CheckText(col, v, award.SingleLine); err != nil {
					t.Fatalf("line %d: unclean value in a good row: %v", r.Line, err)
				}
			}
			if err := award.CheckVariant(r.Track, r.Variant); err != nil {
				t.Fatalf("line %d: %v", r.Line, err)
			}
		}
	})
}
