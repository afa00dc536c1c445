package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// AuditJSONLimit bounds the lines of one JSON answer; the CSV export streams them all.
const AuditJSONLimit = 10000

const reportsWhat = "may see reports, the audit trail and search"

// Report is the tenant's report for a period; asCSV says the admin asked for CSV.
func (s *Service) Report(ctx context.Context, me award.Person, q structs.ReportQuery) (rep postgres.Report, asCSV bool, err error) {
	if err := adminsOnly(me, reportsWhat); err != nil {
		return rep, false, err
	}
	from, to, _, _, err := period(q.From, q.To, true)
	if err != nil {
		return rep, false, err
	}
	if asCSV, err = wantCSV(q.Format); err != nil {
		return rep, false, err
	}
	rep, err = s.DB.Report(ctx, me.TenantID, from, to)
	return rep, asCSV, err
}

// AuditSelection is the audit lines an admin asked for: as a JSON Page, or (CSV) a Filter to
// stream with EachAudit into a file named Filename.
type AuditSelection struct {
	CSV      bool
	Filter   postgres.AuditFilter
	Filename string
	Page     structs.AuditPage
}

// Audit selects audit lines: every state change and admin action, oldest first. The trail is
// append-only: nothing changes it.
func (s *Service) Audit(ctx context.Context, me award.Person, q structs.AuditQuery) (AuditSelection, error) {
	var sel AuditSelection
	if err := adminsOnly(me, reportsWhat); err != nil {
		return sel, err
	}
	from, to, hasFrom, hasTo, err := period(q.From, q.To, false)
	if err != nil {
		return sel, err
	}
	if sel.CSV, err = wantCSV(q.Format); err != nil {
		return sel, err
	}
	f := postgres.AuditFilter{TenantID: me.TenantID, ApplicationID: strings.TrimSpace(q.Application)}
	if hasFrom || hasTo {
		start, end := postgres.Period(from, to)
		if hasFrom {
			f.From = start
		}
		if hasTo {
			f.To = end
		}
	}
	if f.ApplicationID != "" {
		if _, err := s.DB.Application(ctx, me.TenantID, f.ApplicationID); errors.Is(err, postgres.ErrNotFound) {
			return sel, structs.NotFound("no application " + f.ApplicationID)
		} else if err != nil {
			return sel, err
		}
	}
	if sel.CSV {
		name := "audit-" + FileSafe(me.TenantID)
		if f.ApplicationID != "" {
			name += "-" + FileSafe(f.ApplicationID)
		}
		if hasFrom {
			name += "-from-" + from.Format(time.DateOnly)
		}
		if hasTo {
			name += "-to-" + to.Format(time.DateOnly)
		}
		sel.Filter, sel.Filename = f, name+".csv"
		return sel, nil
	}
	f.Limit = AuditJSONLimit + 1
	lines, err := s.DB.AuditLog(ctx, f)
	if err != nil {
		return sel, err
	}
	truncated := len(lines) > AuditJSONLimit
	if truncated {
		lines = lines[:AuditJSONLimit]
	}
	sel.Page = structs.AuditPage{Entries: lines, Truncated: truncated, Limit: AuditJSONLimit}
	return sel, nil
}

// EachAudit streams the lines of a CSV selection (Audit) to fn, oldest first.
func (s *Service) EachAudit(ctx context.Context, sel AuditSelection, fn func(postgres.AuditLine) error) error {
	return s.DB.EachAudit(ctx, sel.Filter, fn)
}

// Search finds the tenant's applications by part of a setting's name, its reference, an
// application id, or a person's name or email.
func (s *Service) Search(ctx context.Context, me award.Person, q structs.SearchQuery) (structs.SearchAnswer, error) {
	if err := adminsOnly(me, reportsWhat); err != nil {
		return structs.SearchAnswer{}, err
	}
	text := strings.TrimSpace(q.Q)
	if text == "" {
		return structs.SearchAnswer{}, structs.Invalid("q", "required: part of a setting's name, its reference, an application id, or a person's name or email")
	}
	if len(text) > 200 {
		return structs.SearchAnswer{}, structs.Invalid("q", "at most 200 characters")
	}
	limit := 50
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > 200 {
			return structs.SearchAnswer{}, structs.Invalid("limit", "a whole number from 1 to 200")
		}
		limit = n
	}
	found, err := s.DB.Search(ctx, me.TenantID, text, limit)
	return structs.SearchAnswer{Query: text, Applications: found}, err
}

// date reads a YYYY-MM-DD parameter named field; ok is false when it is absent (and not required).
func date(field, v string, required bool) (time.Time, bool, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return time.Time{}, false, structs.Invalid(field, "required: a date YYYY-MM-DD")
		}
		return time.Time{}, false, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, false, structs.Invalid(field, fmt.Sprintf("%q is not a date YYYY-MM-DD", v))
	}
	return d, true, nil
}

// period reads from and to (dates, both included); required says whether both must be given.
func period(fromText, toText string, required bool) (from, to time.Time, hasFrom, hasTo bool, err error) {
	if from, hasFrom, err = date("from", fromText, required); err != nil {
		return
	}
	if to, hasTo, err = date("to", toText, required); err != nil {
		return
	}
	if hasFrom && hasTo && from.After(to) {
		err = structs.Invalid("from", fmt.Sprintf("%s is after to (%s)", from.Format(time.DateOnly), to.Format(time.DateOnly)))
	}
	return
}

// wantCSV reads format: json (the default) or csv.
func wantCSV(format string) (bool, error) {
	switch f := strings.ToLower(strings.TrimSpace(format)); f {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	default:
		return false, structs.Invalid("format", fmt.Sprintf("%q: choose json or csv", f))
	}
}

// FileSafe keeps the characters of s that are safe in a file name.
func FileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}
