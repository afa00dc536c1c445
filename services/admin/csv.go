package admin

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"awardengine/storage/postgres"
)

// The CSV files admins download — the report and the audit export — are written here, once,
// for both adapters (the JSON API's ?format=csv and the pages' .csv links).
//
// Every cell goes through CSVWriter, which neutralises formula injection (OWASP "CSV
// injection"): a cell that starts with =, +, -, @, a tab or a carriage return is run as a
// formula, or read as one, by spreadsheet programs, so such a cell gets a leading single
// quote, which they show as text. The rule holds for every cell, numbers included: the figures
// we write are counts, ids, medians and timestamps, none of them negative, so no number of
// ours is changed; a cell that still starts with - or + came from text, and a uniform rule
// leaves no "looks numeric" gap to slip a formula through.

// CSVWriter is encoding/csv's writer with every cell neutralised.
type CSVWriter struct{ *csv.Writer }

// NewCSVWriter writes CSV (RFC 4180) to w.
func NewCSVWriter(w io.Writer) CSVWriter { return CSVWriter{csv.NewWriter(w)} }

// Write writes one record, its cells neutralised.
func (w CSVWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, cell := range record {
		safe[i] = CSVCell(cell)
	}
	return w.Writer.Write(safe)
}

// WriteAll writes records and flushes, as csv.Writer.WriteAll does.
func (w CSVWriter) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// CSVCell neutralises one cell: a leading single quote before a formula trigger.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVHeaders starts a CSV download named filename.
func CSVHeaders(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// ReportFilename is the download name of a report.
func ReportFilename(rep postgres.Report) string {
	return "report-" + FileSafe(rep.TenantID) + "-" + FileSafe(rep.From) + "-" + FileSafe(rep.To) + ".csv"
}

// WriteReportCSV writes a report as flat CSV (RFC 4180) with the header
// section,key,measure,value — one figure a line:
//
//	period,tenant,,<tenant id>            period,from,,YYYY-MM-DD        period,to,,YYYY-MM-DD
//	awarded,<track>/<level>,settings,N    awarded,total,settings,N
//	reassessed_higher,all,settings,N      toolkits_accessed,all,applications,N
//	working_towards,all,applications,N    in_assessment,all,applications,N    lapsed,all,applications,N
//	median_working_days,<stage>,median,X  median_working_days,<stage>,spans,N
//	assessor_workload,<person id>/<role>,name|offers|accepted|completed|open|declined|expired,V
//	note,<n>,,<text>
func WriteReportCSV(w io.Writer, rep postgres.Report) error {
	cw := NewCSVWriter(w)
	n := strconv.Itoa
	rows := [][]string{
		{"section", "key", "measure", "value"},
		{"period", "tenant", "", rep.TenantID},
		{"period", "from", "", rep.From},
		{"period", "to", "", rep.To},
		{"period", "generated_at", "", rep.GeneratedAt.Format(time.RFC3339)},
	}
	for _, a := range rep.Awarded {
		rows = append(rows, []string{"awarded", a.Track + "/" + a.Level, "settings", n(a.Settings)})
	}
	rows = append(rows,
		[]string{"awarded", "total", "settings", n(rep.AwardedTotal)},
		[]string{"reassessed_higher", "all", "settings", n(rep.ReassessedHigher)},
		[]string{"toolkits_accessed", "all", "applications", n(rep.ToolkitsAccessed)},
		[]string{"working_towards", "all", "applications", n(rep.WorkingTowards)},
		[]string{"in_assessment", "all", "applications", n(rep.InAssessment)},
		[]string{"lapsed", "all", "applications", n(rep.Lapsed)},
	)
	for _, m := range rep.MedianWorkingDays {
		rows = append(rows,
			[]string{"median_working_days", m.Stage, "median", strconv.FormatFloat(m.Median, 'f', -1, 64)},
			[]string{"median_working_days", m.Stage, "spans", n(m.Spans)})
	}
	for _, wl := range rep.AssessorWorkload {
		key := wl.PersonID + "/" + wl.Role
		rows = append(rows,
			[]string{"assessor_workload", key, "name", wl.Name},
			[]string{"assessor_workload", key, "offers", n(wl.Offers)},
			[]string{"assessor_workload", key, "accepted", n(wl.Accepted)},
			[]string{"assessor_workload", key, "completed", n(wl.Completed)},
			[]string{"assessor_workload", key, "open", n(wl.Open)},
			[]string{"assessor_workload", key, "declined", n(wl.Declined)},
			[]string{"assessor_workload", key, "expired", n(wl.Expired)})
	}
	for i, note := range rep.Notes {
		rows = append(rows, []string{"note", n(i + 1), "", note})
	}
	return cw.WriteAll(rows)
}

// AuditColumns are the columns of the audit CSV export.
var AuditColumns = []string{"id", "at", "application_id", "actor", "actor_name", "action", "stage_before", "stage_after", "detail"}

// AuditRecord is one audit line as a CSV record (AuditColumns).
func AuditRecord(l postgres.AuditLine) []string {
	detail := "{}"
	if len(l.Detail) > 0 {
		if b, err := json.Marshal(l.Detail); err == nil {
			detail = string(b)
		}
	}
	return []string{strconv.FormatInt(l.ID, 10), l.At.UTC().Format(time.RFC3339Nano), l.ApplicationID, l.Actor, l.ActorName,
		l.Action, l.StageBefore, l.StageAfter, detail}
}

// StreamAuditCSV writes the lines of a CSV selection (Audit) to w as they are read: the
// download's headers (CSVHeaders) and the column row before the first, a flush every 500
// lines. started says whether anything was written: a failure before that is the caller's to
// answer (a problem document, an error page); after it, the caller must cut the response off
// (never a silently short file).
//
// A server's write timeout bounds a whole answer; an export of years of audit trail may take
// longer, so each flush gives the next one window again (0: no extension): a client that
// keeps reading gets the whole file, one that stops reading is cut off.
func (s *Service) StreamAuditCSV(ctx context.Context, w http.ResponseWriter, sel AuditSelection, window time.Duration) (started bool, err error) {
	cw := NewCSVWriter(w)
	rc := http.NewResponseController(w)
	extend := func() {
		if window > 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(window)) // unsupported writers (tests) keep none
		}
	}
	start := func() error {
		if started {
			return nil
		}
		started = true
		CSVHeaders(w, sel.Filename)
		w.WriteHeader(http.StatusOK)
		return cw.Write(AuditColumns)
	}
	rows := 0
	err = s.EachAudit(ctx, sel, func(l postgres.AuditLine) error {
		if err := start(); err != nil {
			return err
		}
		if err := cw.Write(AuditRecord(l)); err != nil {
			return err
		}
		if rows++; rows%500 == 0 {
			cw.Flush()
			extend()
			return cw.Error()
		}
		return nil
	})
	if err == nil {
		err = start()
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	return started, err
}
