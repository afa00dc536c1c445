package web

import (
	"net/http"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// The applicant's pages: their applications, registering a setting, and each application's
// journey (application.go, evidence.go, submit.go, decision.go).

func (s *Server) applicantRoutes(mux *http.ServeMux) {
	mux.Handle("GET /applications", s.signedIn(s.myApplications))
	s.applicationRoutes(mux) // register, the task list, toolkit, submit, status, decision: application.go and others
	s.evidenceRoutes(mux)    // upload, map, remove: evidence.go
}

// applicationsData is the "Your applications" page.
type applicationsData struct {
	Applications []postgres.Application
	CanRegister  bool
}

func (s *Server) myApplications(w http.ResponseWriter, r *http.Request, me award.Person) {
	apps, err := s.Apps().List(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "applicant/applications", &Page{Title: "Your applications", Me: me,
		Data: applicationsData{Applications: apps, CanRegister: me.Has(award.RoleApplicant) || me.Has(award.RoleAdmin)}})
}
