// Package certificate renders the award certificate sent with the "awarded"
// decision email (SPEC §3, stage 8) as a one-page PDF.
package certificate

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"awardengine/workdays"
)

// Certificate is what the certificate states. Every field is required except
// Reference.
type Certificate struct {
	Number      string // certificate reference, e.g. the application id
	TenantName  string // the local authority
	SettingName string
	Reference   string // the setting's reference (printed when present)
	AwardTitle  string // e.g. "Caring Schools Award"
	LevelTitle  string // "Bronze" / "Silver" / "Gold"
	AwardedOn   time.Time
	ValidUntil  time.Time
}

// london is where the scheme runs; dates are printed as London dates so a
// decision just before midnight UTC in summer shows the day people saw.
var london = workdays.London

// margin is the left and right page margin in mm; text is centred between.
const margin = 30.0

func (c Certificate) validate() error {
	var missing []string
	for _, f := range []struct {
		name  string
		empty bool
	}{
		{"Number", strings.TrimSpace(c.Number) == ""},
		{"TenantName", strings.TrimSpace(c.TenantName) == ""},
		{"SettingName", strings.TrimSpace(c.SettingName) == ""},
		{"AwardTitle", strings.TrimSpace(c.AwardTitle) == ""},
		{"LevelTitle", strings.TrimSpace(c.LevelTitle) == ""},
		{"AwardedOn", c.AwardedOn.IsZero()},
		{"ValidUntil", c.ValidUntil.IsZero()},
	} {
		if f.empty {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("certificate: missing required field(s): %s", strings.Join(missing, ", "))
	}
	if !c.ValidUntil.After(c.AwardedOn) {
		return errors.New("certificate: ValidUntil must be after AwardedOn")
	}
	return nil
}

// date formats t like "23 November 2026".
func date(t time.Time) string { return t.In(london).Format("2 January 2006") }

// Render returns the certificate as an A4 landscape PDF. The output is a
// pure function of c: the PDF's creation and modification dates are
// AwardedOn, and its internal catalogues are sorted, so rendering the same
// certificate twice gives identical bytes (safe to re-run in an activity and
// to compare against a stored copy).
func Render(c Certificate) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}

	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCompression(false) // keeps the text searchable in the raw bytes (tests, support)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(c.AwardedOn.UTC())
	pdf.SetModificationDate(c.AwardedOn.UTC())
	pdf.SetTitle(fmt.Sprintf("%s — %s — %s", c.AwardTitle, c.LevelTitle, c.SettingName), true)
	pdf.SetSubject(fmt.Sprintf("Certificate %s", c.Number), true)
	pdf.SetAuthor(c.TenantName, true)
	pdf.SetAutoPageBreak(false, 0) // one page, always: never a stray second page
	pdf.SetMargins(margin, 25, margin)
	pdf.AddPage()

	// The core fonts are cp1252: translate UTF-8 (curly quotes, accents) to
	// it. Runes outside cp1252 come out as '.', rather than as mojibake.
	tr := pdf.UnicodeTranslatorFromDescriptor("")

	w, h := pdf.GetPageSize()
	pdf.SetDrawColor(90, 70, 30)
	pdf.SetLineWidth(1.2)
	pdf.Rect(12, 12, w-24, h-24, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(16, 16, w-32, h-32, "D")

	line := func(family, style string, size, gap float64, text string) {
		pdf.SetFont(family, style, size)
		pdf.MultiCell(0, size*0.45, tr(text), "", "C", false) // 0.45mm/pt: ~1.3 line spacing
		pdf.Ln(gap)
	}

	pdf.SetY(32)
	pdf.SetTextColor(40, 40, 40)
	line("Times", "", 20, 8, c.TenantName)
	line("Times", "I", 16, 8, "certifies that")
	pdf.SetTextColor(0, 0, 0)
	// Long names shrink, down to 18pt, to fit on two lines where they can,
	// keeping the block clear of the dates at the foot of the page.
	size := 30.0
	for ; size > 18; size -= 2 {
		pdf.SetFont("Times", "B", size)
		if len(pdf.SplitLines([]byte(tr(c.SettingName)), w-2*margin)) <= 2 {
			break
		}
	}
	line("Times", "B", size, 2, c.SettingName)
	if r := strings.TrimSpace(c.Reference); r != "" {
		line("Times", "", 13, 0, "("+r+")")
	}
	pdf.Ln(8)
	line("Times", "", 18, 4, "has achieved the")
	line("Times", "B", 26, 4, c.LevelTitle+" level")
	line("Times", "", 18, 0, "of the "+c.AwardTitle)

	pdf.SetY(h - 52)
	pdf.SetTextColor(40, 40, 40)
	line("Helvetica", "", 12, 1, "Awarded on "+date(c.AwardedOn))
	line("Helvetica", "", 12, 6, "Valid until "+date(c.ValidUntil))
	line("Helvetica", "", 9, 0, "Certificate number "+c.Number)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("certificate: render PDF: %w", err)
	}
	return buf.Bytes(), nil
}
