// Package cohort imports a cohort: settings and their applicants (and optional supporters)
// from one CSV file, registering an application for each setting.
//
// # The file
//
// UTF-8 CSV (RFC 4180, as encoding/csv reads it: fields may be quoted, a quoted field may not
// hold a line break here because every value is single-line text), a header row first naming
// the columns, in any order; a UTF-8 byte order mark is ignored. Columns:
//
//	setting_reference  required  the school URN, Ofsted URN or fostering household reference
//	setting_name       required
//	track              required  e.g. school, early_years, foster
//	variant            required  one of the track's variants (e.g. first_year_foster)
//	approval_date      first-year foster carers only, as YYYY-MM-DD, not in the future
//	applicant_name     required
//	applicant_email    required  invited with a sign-in link if new
//	supporter_email    optional  the setting's supporter, invited if new
//	supporter_name     required with a supporter_email
//
// Optional columns may be left out of the header. An unknown or repeated column is refused.
// At most MaxRows rows.
//
// # What is checked
//
// Every row is checked before anything is written, and the file is refused whole if any row
// is bad: each problem names its line (the file's line number, the header being line 1), its
// column and the reason. Parse checks what the file alone can say (required values, clean
// single-line text, tracks and variants, dates, addresses, a setting or an applicant's address
// repeated in the file, an applicant who is also a supporter); the import checks what the
// database says in the same transaction that writes (a setting with an active application
// already, or registered as another track or variant; an address that belongs to staff).
//
// A value that looks like a spreadsheet formula (=, +, -, @ first) is kept as text, stored as
// given and never evaluated; the CSV exports neutralise such values when they write them.
package cohort

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"

	"awardengine/award"
)

// Column names of the file.
const (
	ColSettingReference = "setting_reference"
	ColSettingName      = "setting_name"
	ColTrack            = "track"
	ColVariant          = "variant"
	ColApprovalDate     = "approval_date"
	ColApplicantName    = "applicant_name"
	ColApplicantEmail   = "applicant_email"
	ColSupporterEmail   = "supporter_email"
	ColSupporterName    = "supporter_name"
)

// Columns are the columns a file may have, in the documented order; RequiredColumns those it must.
var (
	Columns         = []string{ColSettingReference, ColSettingName, ColTrack, ColVariant, ColApprovalDate, ColApplicantName, ColApplicantEmail, ColSupporterEmail, ColSupporterName}
	RequiredColumns = []string{ColSettingReference, ColSettingName, ColTrack, ColVariant, ColApplicantName, ColApplicantEmail}
)

// Limits of one file.
const (
	MaxRows       = 5000
	MaxProblems   = 200 // problems listed; a file with more gets a last one saying so
	MaxValueBytes = 320 // the longest value of any column (an email address is at most 254)
)

// Row is one valid row of the file.
type Row struct {
	Line             int
	SettingReference string
	SettingName      string
	Track            award.Track
	Variant          award.Variant
	ApprovalDate     *time.Time
	ApplicantName    string
	ApplicantEmail   string // lower case
	SupporterEmail   string // lower case; "" for none
	SupporterName    string
}

// Problem is one thing wrong with the file, by line and column ("" for the whole line).
type Problem struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
	more    bool   // the last problem listed of a file with more (Capped)
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", p.Line, p.Column, p.Message)
}

// ProblemLines counts the distinct lines with a problem.
func ProblemLines(problems []Problem) int {
	seen := map[int]bool{}
	for _, p := range problems {
		seen[p.Line] = true
	}
	return len(seen)
}

// Parse reads and checks a whole file as of now. It returns the rows when every one is good,
// or every problem found (and no rows) when any is bad. A file that cannot be read as CSV at
// all is one problem at the line where reading stopped.
func Parse(r io.Reader, now time.Time) ([]Row, []Problem) {
	rows, problems := Check(r, now)
	if len(problems) > 0 {
		return nil, problems
	}
	return rows, nil
}

// Check is Parse returning also, with the problems, the rows that have none (so that the
// database's checks can report on them too: every problem of a file in one answer).
func Check(r io.Reader, now time.Time) ([]Row, []Problem) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, []Problem{{Line: 1, Message: "the file could not be read"}}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, []Problem{{Line: 1, Message: "the file is empty: it needs a header row naming the columns (" + strings.Join(Columns, ",") + ")"}}
	}
	if err != nil {
		return nil, []Problem{csvProblem(err)}
	}
	index, problems := readHeader(header)
	if len(problems) > 0 {
		return nil, Capped(problems)
	}
	cr.FieldsPerRecord = len(header)
	var (
		rows     []Row
		read     int                // rows read
		settings = map[string]int{} // reference (case-insensitive) → first line
		apps     = map[string]int{} // applicant email → first line
		sups     = map[string]int{} // supporter email → first line
	)
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, csvProblem(err))
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				continue // the next record can still be read
			}
			break // quotes out of step: nothing after this is trustworthy
		}
		line, _ := cr.FieldPos(0)
		if read++; read > MaxRows {
			problems = append(problems, Problem{Line: line, Message: fmt.Sprintf("the file has more than %d rows; split it", MaxRows)})
			break
		}
		row, rowProblems := checkRow(line, record, index, now)
		if len(rowProblems) == 0 {
			rowProblems = append(rowProblems, repeated(row, settings, apps, sups)...)
		}
		problems = append(problems, rowProblems...)
		if len(rowProblems) == 0 {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 && len(problems) == 0 {
		return nil, []Problem{{Line: 2, Message: "the file has a header but no rows"}}
	}
	return rows, Capped(problems)
}

// Capped keeps the first MaxProblems problems, the last one kept saying how many more there are
// (a hostile file cannot make an answer of millions of lines).
func Capped(problems []Problem) []Problem {
	if len(problems) <= MaxProblems {
		return problems
	}
	more := len(problems) - (MaxProblems - 1)
	last := problems[MaxProblems-1]
	return append(problems[:MaxProblems-1:MaxProblems-1], Problem{Line: last.Line, more: true,
		Message: fmt.Sprintf("and %d more problems from this line on, not listed: correct these and upload the file again", more)})
}

// csvProblem is a reading error at its line, saying what is wrong without echoing the data.
func csvProblem(err error) Problem {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return Problem{Line: 1, Message: "the file could not be read as CSV"}
	}
	msg := "this line is not valid CSV"
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		msg = "this line has a different number of values from the header row"
	case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
		msg = fmt.Sprintf("a quote is out of place (column %d); a value holding a quote must be quoted, with its quotes doubled", pe.Column)
	}
	return Problem{Line: pe.Line, Message: msg}
}

// readHeader maps column names to positions, refusing unknown, repeated and missing columns.
func readHeader(header []string) (map[string]int, []Problem) {
	index := map[string]int{}
	var problems []Problem
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case !slices.Contains(Columns, name):
			shown := name
			if award.CheckText("column", name, award.SingleLine) != nil || len(name) > 40 {
				shown = fmt.Sprintf("number %d", i+1)
			}
			problems = append(problems, Problem{Line: 1, Column: name,
				Message: fmt.Sprintf("unknown column %q; the columns are %s", shown, strings.Join(Columns, ","))})
		case index[name] > 0:
			problems = append(problems, Problem{Line: 1, Column: name, Message: "this column is named twice"})
		default:
			index[name] = i + 1 // 1-based, so 0 means absent
		}
	}
	for _, name := range RequiredColumns {
		if index[name] == 0 {
			problems = append(problems, Problem{Line: 1, Column: name, Message: "required column missing from the header row"})
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return index, nil
}

// checkRow checks the values of one row.
func checkRow(line int, record []string, index map[string]int, now time.Time) (Row, []Problem) {
	var problems []Problem
	bad := func(col, msg string) { problems = append(problems, Problem{Line: line, Column: col, Message: msg}) }
	get := func(col string) string {
		i := index[col]
		if i == 0 {
			return ""
		}
		v := strings.TrimSpace(record[i-1])
		if err := award.CheckText(col, v, award.SingleLine); err != nil {
			var in *award.InputError
			if errors.As(err, &in) {
				bad(col, in.Message)
			} else {
				bad(col, "is not clean text")
			}
			return ""
		}
		if len(v) > MaxValueBytes {
			bad(col, fmt.Sprintf("is longer than %d bytes", MaxValueBytes))
			return ""
		}
		return v
	}
	required := func(col string) string {
		v := get(col)
		if v == "" && !hasProblem(problems, col) {
			bad(col, "required")
		}
		return v
	}
	row := Row{Line: line,
		SettingReference: required(ColSettingReference),
		SettingName:      required(ColSettingName),
		ApplicantName:    required(ColApplicantName),
		ApplicantEmail:   strings.ToLower(required(ColApplicantEmail)),
		SupporterEmail:   strings.ToLower(get(ColSupporterEmail)),
		SupporterName:    get(ColSupporterName),
	}
	trackText, variantText, dateText := required(ColTrack), required(ColVariant), get(ColApprovalDate)
	if trackText != "" {
		track, err := award.ParseTrack(trackText)
		if err != nil {
			bad(ColTrack, inputMessage(err))
		} else if variantText != "" {
			row.Track = track
			row.Variant = award.Variant(strings.ToLower(variantText))
			if err := award.CheckVariant(track, row.Variant); err != nil {
				bad(ColVariant, inputMessage(err))
			}
		}
	}
	switch {
	case row.Variant == award.VariantFirstYearFoster && dateText == "" && !hasProblem(problems, ColApprovalDate):
		bad(ColApprovalDate, "required for first-year foster carers, as YYYY-MM-DD")
	case row.Variant == award.VariantFirstYearFoster && dateText != "":
		d, err := time.Parse(time.DateOnly, dateText)
		switch {
		case err != nil:
			bad(ColApprovalDate, "is not a date as YYYY-MM-DD")
		case d.After(now):
			bad(ColApprovalDate, "cannot be in the future")
		default:
			row.ApprovalDate = &d
		}
	case dateText != "" && row.Variant != "":
		bad(ColApprovalDate, "only first-year foster carers have an approval date; leave it empty")
	}
	if row.ApplicantEmail != "" && !isAddress(row.ApplicantEmail) {
		bad(ColApplicantEmail, "is not an email address (like name@example.org)")
	}
	if row.SupporterEmail != "" {
		switch {
		case !isAddress(row.SupporterEmail):
			bad(ColSupporterEmail, "is not an email address (like name@example.org)")
		case row.SupporterEmail == row.ApplicantEmail:
			bad(ColSupporterEmail, "is the applicant's address; a supporter is someone else")
		}
		if row.SupporterName == "" && !hasProblem(problems, ColSupporterName) {
			bad(ColSupporterName, "required with a supporter_email")
		}
	} else if row.SupporterName != "" {
		bad(ColSupporterEmail, "required with a supporter_name")
	}
	return row, problems
}

// repeated refuses a setting or an applicant's address that an earlier row already has, and
// one address as applicant on one row and supporter on another.
func repeated(row Row, settings, apps, sups map[string]int) []Problem {
	var problems []Problem
	ref := strings.ToLower(row.SettingReference)
	if first, ok := settings[ref]; ok {
		problems = append(problems, Problem{Line: row.Line, Column: ColSettingReference, Message: fmt.Sprintf("this setting is already on line %d", first)})
	} else {
		settings[ref] = row.Line
	}
	if first, ok := apps[row.ApplicantEmail]; ok {
		problems = append(problems, Problem{Line: row.Line, Column: ColApplicantEmail, Message: fmt.Sprintf("this applicant is already on line %d; each applicant registers one setting per file", first)})
	} else if first, ok := sups[row.ApplicantEmail]; ok {
		problems = append(problems, Problem{Line: row.Line, Column: ColApplicantEmail, Message: fmt.Sprintf("this address is a supporter on line %d; an applicant needs their own address", first)})
	} else {
		apps[row.ApplicantEmail] = row.Line
	}
	if row.SupporterEmail != "" {
		if first, ok := apps[row.SupporterEmail]; ok {
			problems = append(problems, Problem{Line: row.Line, Column: ColSupporterEmail, Message: fmt.Sprintf("this address is an applicant on line %d; a supporter needs their own address", first)})
		} else if _, ok := sups[row.SupporterEmail]; !ok {
			sups[row.SupporterEmail] = row.Line
		}
	}
	return problems
}

func hasProblem(problems []Problem, col string) bool {
	return slices.ContainsFunc(problems, func(p Problem) bool { return p.Column == col })
}

func inputMessage(err error) string {
	var in *award.InputError
	if errors.As(err, &in) {
		return in.Message
	}
	return err.Error()
}

// isAddress accepts a plain address (no display name, no angle brackets).
func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && strings.EqualFold(a.Address, s)
}
