package api

import (
	"log/slog"
	"net/http"

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
	admin.CSVHeaders(w, admin.ReportFilename(rep))
	w.WriteHeader(http.StatusOK)
	_ = admin.WriteReportCSV(w, rep)
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

// streamAuditCSV writes the selected lines as they are read (admin.StreamAuditCSV), each flush
// giving the next one WriteTimeout again. A failure before the first byte is a problem
// document; after it, the response is cut off (never a silently short file).
func (s *Server) streamAuditCSV(w http.ResponseWriter, r *http.Request, sel admin.AuditSelection) {
	started, err := s.admin().StreamAuditCSV(r.Context(), w, sel, WriteTimeout)
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
