package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"awardengine/services/admin"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Admin pages' data (SPEC §4): reports for a period, the audit trail and its export, search by
// setting, reference or person, and an application's detail with its timeline and audit
// trail. Admins only; everything is scoped to the admin's tenant.
func (s *Server) adminRoutes(authed func(string, personHandler)) {
	authed("GET /v1/admin/reports", s.adminReport)
	authed("GET /v1/admin/audit", s.adminAudit)
	authed("GET /v1/admin/search", s.adminSearch)
	authed("GET /v1/admin/applications/{id}", s.adminDetail)
}

// csvHeaders starts a CSV download named filename.
func csvHeaders(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// adminReport is GET /v1/admin/reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv].
func (s *Server) adminReport(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	q := r.URL.Query()
	rep, asCSV, err := s.admin().Report(r.Context(), me, structs.ReportQuery{From: q.Get("from"), To: q.Get("to"), Format: q.Get("format")})
	if err != nil {
		fail(w, r, err)
		return
	}
	if !asCSV {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	csvHeaders(w, "report-"+admin.FileSafe(me.TenantID)+"-"+rep.From+"-"+rep.To+".csv")
	w.WriteHeader(http.StatusOK)
	_ = writeReportCSV(w, rep)
}

// writeReportCSV writes a report as flat CSV (RFC 4180) with the header
// section,key,measure,value — one figure a line:
//
//	period,tenant,,<tenant id>            period,from,,YYYY-MM-DD        period,to,,YYYY-MM-DD
//	awarded,<track>/<level>,settings,N    awarded,total,settings,N
//	reassessed_higher,all,settings,N      toolkits_accessed,all,applications,N
//	working_towards,all,applications,N    in_assessment,all,applications,N    lapsed,all,applications,N
//	median_working_days,<stage>,median,X  median_working_days,<stage>,spans,N
//	assessor_workload,<person id>/<role>,name|offers|accepted|completed|open|declined|expired,V
//	note,<n>,,<text>
func writeReportCSV(w io.Writer, rep postgres.Report) error {
	cw := newCSVWriter(w)
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

// auditColumns are the columns of the audit CSV export.
var auditColumns = []string{"id", "at", "application_id", "actor", "actor_name", "action", "stage_before", "stage_after", "detail"}

func auditRecord(l postgres.AuditLine) []string {
	detail := "{}"
	if len(l.Detail) > 0 {
		if b, err := json.Marshal(l.Detail); err == nil {
			detail = string(b)
		}
	}
	return []string{strconv.FormatInt(l.ID, 10), l.At.UTC().Format(time.RFC3339Nano), l.ApplicationID, l.Actor, l.ActorName,
		l.Action, l.StageBefore, l.StageAfter, detail}
}

// adminAudit is GET /v1/admin/audit?[application=ID][&from=YYYY-MM-DD][&to=YYYY-MM-DD][&format=csv]:
// every state change and admin action, oldest first. JSON answers hold at most 10,000 lines
// (truncated says when there were more); the CSV export streams every line selected. The
// trail is append-only: there is no endpoint that changes it.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	q := r.URL.Query()
	sel, err := s.admin().Audit(r.Context(), me, structs.AuditQuery{Application: q.Get("application"), From: q.Get("from"),
		To: q.Get("to"), Format: q.Get("format")})
	if err != nil {
		fail(w, r, err)
		return
	}
	if !sel.CSV {
		writeJSON(w, http.StatusOK, sel.Page)
		return
	}
	s.streamAuditCSV(w, r, sel)
}

// streamAuditCSV writes the selected lines as they are read. A failure before the first byte
// is a problem document; after it, the response is cut off (never a silently short file).
// The server's write timeout bounds a whole answer; an export of years of audit trail may take
// longer, so each flush gives the next one WriteTimeout again: a client that keeps reading
// gets the whole file, one that stops reading is cut off.
func (s *Server) streamAuditCSV(w http.ResponseWriter, r *http.Request, sel admin.AuditSelection) {
	cw := newCSVWriter(w)
	rc := http.NewResponseController(w)
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(WriteTimeout)) } // unsupported writers (tests) keep none
	started := false
	start := func() error {
		if started {
			return nil
		}
		started = true
		csvHeaders(w, sel.Filename)
		w.WriteHeader(http.StatusOK)
		return cw.Write(auditColumns)
	}
	rows := 0
	err := s.admin().EachAudit(r.Context(), sel, func(l postgres.AuditLine) error {
		if err := start(); err != nil {
			return err
		}
		if err := cw.Write(auditRecord(l)); err != nil {
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
	if err == nil {
		return
	}
	if !started {
		fail(w, r, err)
		return
	}
	slog.Error("audit export cut off", "tenant", sel.Filter.TenantID, "error", err)
	panic(http.ErrAbortHandler)
}

// adminSearch is GET /v1/admin/search?q=TEXT[&limit=N].
func (s *Server) adminSearch(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	q := r.URL.Query()
	out, err := s.admin().Search(r.Context(), me, structs.SearchQuery{Q: q.Get("q"), Limit: q.Get("limit")})
	answer(w, r, http.StatusOK, out, err)
}

func (s *Server) adminDetail(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	d, err := s.admin().Detail(r.Context(), me, r.PathValue("id"))
	answer(w, r, http.StatusOK, d, err)
}
