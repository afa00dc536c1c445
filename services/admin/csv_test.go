package admin

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"awardengine/storage/postgres"
)

func TestCSVCell(t *testing.T) {
	cases := map[string]string{
		"":                      "",
		"plain":                 "plain",
		"=HYPERLINK(\"x\")":     "'=HYPERLINK(\"x\")",
		"+1+cmd|' /C calc'!A0":  "'+1+cmd|' /C calc'!A0",
		"-2+3":                  "'-2+3",
		"@SUM(A1:A2)":           "'@SUM(A1:A2)",
		"\t=1":                  "'\t=1",
		"\r=1":                  "'\r=1",
		"a=b":                   "a=b",
		"12":                    "12",
		"2026-05-01T10:00:00Z":  "2026-05-01T10:00:00Z",
		`{"reason":"=1+1"}`:     `{"reason":"=1+1"}`,
		"'already quoted":       "'already quoted",
		" =leading space is ok": " =leading space is ok",
	}
	for in, want := range cases {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryCSVExportIsNeutralised writes the report and an audit line holding formulas and
// reads them back as a spreadsheet would: no cell starts with a formula trigger.
func TestEveryCSVExportIsNeutralised(t *testing.T) {
	var report bytes.Buffer
	rep := postgres.Report{TenantID: "t", From: "2026-01-01", To: "2026-12-31", GeneratedAt: time.Now(),
		AssessorWorkload: []postgres.Workload{{PersonID: "p", Role: "assessor", Name: "=cmd|' /C calc'!A0", Offers: 3}},
		Notes:            []string{"@SUM(1)", "+1", "-1"}}
	if err := WriteReportCSV(&report, rep); err != nil {
		t.Fatal(err)
	}
	var audit bytes.Buffer
	cw := NewCSVWriter(&audit)
	if err := cw.WriteAll([][]string{AuditRecord(postgres.AuditLine{ID: 1, AuditEntry: postgres.AuditEntry{At: time.Now(), Actor: "=1+2", Action: "-act"}, ActorName: "\t=x"})}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"report": report.String(), "audit": audit.String()} {
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: cell %q starts a formula", name, cell)
				}
			}
		}
		// Figures are written as they are (the report's workload counts 3 offers, the audit line is id 1).
		if figure := map[string]string{"report": "3", "audit": "1"}[name]; !strings.Contains(out, figure) {
			t.Errorf("%s: figures lost: %s", name, out)
		}
	}
}
