package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workdays"
	"awardengine/workflows"
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

// auditJSONLimit bounds the lines of one JSON answer; the CSV export streams them all.
const auditJSONLimit = 10000

func adminsOnly(me postgres.Person) error {
	if !me.Has(postgres.RoleAdmin) {
		return forbidden("only your award team's admins may see reports, the audit trail and search")
	}
	return nil
}

// date reads a YYYY-MM-DD query parameter; "" when absent and not required.
func date(r *http.Request, field string, required bool) (time.Time, bool, error) {
	v := strings.TrimSpace(r.URL.Query().Get(field))
	if v == "" {
		if required {
			return time.Time{}, false, invalid(field, "required: a date YYYY-MM-DD")
		}
		return time.Time{}, false, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, false, invalid(field, fmt.Sprintf("%q is not a date YYYY-MM-DD", v))
	}
	return d, true, nil
}

// period reads from and to (dates, both included); required says whether both must be given.
func period(r *http.Request, required bool) (from, to time.Time, hasFrom, hasTo bool, err error) {
	if from, hasFrom, err = date(r, "from", required); err != nil {
		return
	}
	if to, hasTo, err = date(r, "to", required); err != nil {
		return
	}
	if hasFrom && hasTo && from.After(to) {
		err = invalid("from", fmt.Sprintf("%s is after to (%s)", from.Format(time.DateOnly), to.Format(time.DateOnly)))
	}
	return
}

// wantCSV reads format: json (the default) or csv.
func wantCSV(r *http.Request) (bool, error) {
	switch f := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("format"))); f {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	default:
		return false, invalid("format", fmt.Sprintf("%q: choose json or csv", f))
	}
}

// csvHeaders starts a CSV download named filename.
func csvHeaders(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// fileSafe keeps the characters of s that are safe in a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// adminReport is GET /v1/admin/reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv].
func (s *Server) adminReport(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := adminsOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	from, to, _, _, err := period(r, true)
	if err != nil {
		fail(w, r, err)
		return
	}
	asCSV, err := wantCSV(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	rep, err := s.DB.Report(r.Context(), me.TenantID, from, to)
	if err != nil {
		fail(w, r, err)
		return
	}
	if !asCSV {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	csvHeaders(w, "report-"+fileSafe(me.TenantID)+"-"+rep.From+"-"+rep.To+".csv")
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
	if err := adminsOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	from, to, hasFrom, hasTo, err := period(r, false)
	if err != nil {
		fail(w, r, err)
		return
	}
	asCSV, err := wantCSV(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	f := postgres.AuditFilter{TenantID: me.TenantID, ApplicationID: strings.TrimSpace(r.URL.Query().Get("application"))}
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
		if _, err := s.DB.Application(r.Context(), me.TenantID, f.ApplicationID); errors.Is(err, postgres.ErrNotFound) {
			fail(w, r, notFound("no application "+f.ApplicationID))
			return
		} else if err != nil {
			fail(w, r, err)
			return
		}
	}
	if !asCSV {
		f.Limit = auditJSONLimit + 1
		lines, err := s.DB.AuditLog(r.Context(), f)
		if err != nil {
			fail(w, r, err)
			return
		}
		truncated := len(lines) > auditJSONLimit
		if truncated {
			lines = lines[:auditJSONLimit]
		}
		writeJSON(w, http.StatusOK, map[string]any{"entries": lines, "truncated": truncated, "limit": auditJSONLimit})
		return
	}
	name := "audit-" + fileSafe(me.TenantID)
	if f.ApplicationID != "" {
		name += "-" + fileSafe(f.ApplicationID)
	}
	if hasFrom {
		name += "-from-" + from.Format(time.DateOnly)
	}
	if hasTo {
		name += "-to-" + to.Format(time.DateOnly)
	}
	s.streamAuditCSV(w, r, f, name+".csv")
}

// streamAuditCSV writes the selected lines as they are read. A failure before the first byte
// is a problem document; after it, the response is cut off (never a silently short file).
// The server's write timeout bounds a whole answer; an export of years of audit trail may take
// longer, so each flush gives the next one WriteTimeout again: a client that keeps reading
// gets the whole file, one that stops reading is cut off.
func (s *Server) streamAuditCSV(w http.ResponseWriter, r *http.Request, f postgres.AuditFilter, filename string) {
	cw := newCSVWriter(w)
	rc := http.NewResponseController(w)
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(WriteTimeout)) } // unsupported writers (tests) keep none
	started := false
	start := func() error {
		if started {
			return nil
		}
		started = true
		csvHeaders(w, filename)
		w.WriteHeader(http.StatusOK)
		return cw.Write(auditColumns)
	}
	rows := 0
	err := s.DB.EachAudit(r.Context(), f, func(l postgres.AuditLine) error {
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
	slog.Error("audit export cut off", "tenant", f.TenantID, "error", err)
	panic(http.ErrAbortHandler)
}

// adminSearch is GET /v1/admin/search?q=TEXT[&limit=N].
func (s *Server) adminSearch(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := adminsOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		fail(w, r, invalid("q", "required: part of a setting's name, its reference, an application id, or a person's name or email"))
		return
	}
	if len(q) > 200 {
		fail(w, r, invalid("q", "at most 200 characters"))
		return
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			fail(w, r, invalid("limit", "a whole number from 1 to 200"))
			return
		}
		limit = n
	}
	found, err := s.DB.Search(r.Context(), me.TenantID, q, limit)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"query": q, "applications": found})
}

func (s *Server) adminDetail(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.apps().AdminApplication(r.Context(), me, r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx := r.Context()
	d := structs.AdminDetail{WorkflowID: workflows.WorkflowID(app.ID), TemporalUI: s.temporalLink(app.ID)}
	d.Summary = structs.AdminSummary{ID: app.ID, Setting: structs.Setting{Reference: app.SettingReference, Name: app.SettingName}, Track: app.Track,
		Variant: app.Variant, Stage: app.Stage, Active: app.Active, NextAction: app.NextAction, DueAt: app.DueAt,
		Flags: app.Flags, Applicant: s.personRef(ctx, me.TenantID, app.ApplicantID), AssessorID: app.AssessorID,
		ModeratorID: app.ModeratorID, UpdatedAt: app.UpdatedAt}
	if d.Summary.Flags == nil {
		d.Summary.Flags = []string{}
	}
	if app.SupporterID != "" {
		p := s.personRef(ctx, me.TenantID, app.SupporterID)
		d.Summary.Supporter = &p
	}

	st, err := s.apps().Status(ctx, app.ID)
	switch {
	case err == nil:
		v := applications.ViewFor(st, me)
		d.Application = &v
		if a := st.Assessment; a != nil && (a.Allocation != nil || len(a.Excluded) > 0) {
			av := structs.AllocationView{NotOfferedAgain: a.Excluded, Ranked: []string{}, Excluded: []award.Exclusion{}}
			if al := a.Allocation; al != nil {
				av.Chosen, av.Reason = al.Chosen, al.Reason
				if al.Ranked != nil {
					av.Ranked = al.Ranked
				}
				if al.Excluded != nil {
					av.Excluded = al.Excluded
				}
			}
			d.Allocation = &av
		}
	case errors.Is(ctx.Err(), context.Canceled):
		fail(w, r, err)
		return
	default:
		// The admin page is where a stuck journey is looked into: show what PostgreSQL knows.
		d.JourneyError = "the journey did not answer its status query: " + err.Error()
	}

	if d.Audit, err = s.DB.AuditLog(ctx, postgres.AuditFilter{TenantID: me.TenantID, ApplicationID: app.ID, Limit: auditJSONLimit + 1}); err != nil {
		fail(w, r, err)
		return
	}
	if len(d.Audit) > auditJSONLimit {
		d.Audit, d.AuditTruncated = d.Audit[:auditJSONLimit], true
	}
	d.Timeline = timeline(d.Audit, time.Now())
	if d.Emails, err = s.DB.ApplicationEmails(ctx, me.TenantID, app.ID); err != nil {
		fail(w, r, err)
		return
	}
	if d.Assignments, err = s.DB.ApplicationAssignments(ctx, me.TenantID, app.ID); err != nil {
		fail(w, r, err)
		return
	}
	if d.Assignments == nil {
		d.Assignments = []postgres.Assignment{}
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) personRef(ctx context.Context, tenantID, id string) structs.PersonRef {
	ref := structs.PersonRef{ID: id}
	if p, err := s.DB.Person(ctx, tenantID, id); err == nil {
		ref.Name = p.Name
	}
	return ref
}

// temporalLink is the workflow's page in the Temporal Web UI, or "" without a UI.
func (s *Server) temporalLink(applicationID string) string {
	if s.TemporalUI == "" {
		return ""
	}
	ns := s.Namespace
	if ns == "" {
		ns = "awards" // the default namespace of config.FromEnv and the dev stack
	}
	return strings.TrimRight(s.TemporalUI, "/") + "/namespaces/" + url.PathEscape(ns) + "/workflows/" +
		url.PathEscape(workflows.WorkflowID(applicationID))
}

// timeline reads the stage changes out of an application's audit trail (oldest first): the
// first line naming a stage, then every line whose stage after differs from the stage the
// application was in. The last entry's working days run until now.
func timeline(lines []postgres.AuditLine, now time.Time) []structs.TimelineEntry {
	cal := workdays.EnglandAndWales()
	out := []structs.TimelineEntry{}
	cur := ""
	for _, l := range lines {
		if l.StageAfter == "" || l.StageAfter == cur {
			continue
		}
		if n := len(out); n > 0 {
			at := l.At
			out[n-1].Until = &at
			out[n-1].WorkingDays = cal.Between(out[n-1].At, at)
		}
		out = append(out, structs.TimelineEntry{Stage: l.StageAfter, From: cur, At: l.At, Actor: l.Actor, ActorName: l.ActorName, Action: l.Action})
		cur = l.StageAfter
	}
	if n := len(out); n > 0 {
		out[n-1].WorkingDays = cal.Between(out[n-1].At, now)
	}
	return out
}
