package api

import (
	"net/http"

	"awardengine/storage/postgres"
)

// What the admin pages show beside the stuck list and an application's detail (SPEC §4;
// services/admin): the dashboard's counts and medians, the actions an application's stage
// allows, and the roster as allocation sees it for allocating by hand.
func (s *Server) dashboardRoutes(authed func(string, personHandler)) {
	authed("GET /v1/admin/dashboard", s.adminDashboard)
	authed("GET /v1/admin/applications/{id}/actions", s.adminActions)
	authed("GET /v1/admin/applications/{id}/candidates", s.allocationCandidates)
}

// adminDashboard is the applications per stage, overdue and flagged now, and the median
// working days per stage over the last year.
func (s *Server) adminDashboard(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	out, err := s.admin().Dashboard(r.Context(), me)
	answer(w, r, http.StatusOK, out, err)
}

// adminActions is an application's current step, its holder and deadline, and the admin
// actions its stage allows.
func (s *Server) adminActions(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	out, err := s.admin().Actions(r.Context(), me, r.PathValue("id"))
	answer(w, r, http.StatusOK, out, err)
}

// allocationCandidates is every assessor as the allocation rules see them for the application
// now: eligible (ranked) or excluded with the reason, and whether an admin may choose them by
// hand (POST /v1/applications/{id}/allocate).
func (s *Server) allocationCandidates(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	out, err := s.admin().Candidates(r.Context(), me, r.PathValue("id"))
	answer(w, r, http.StatusOK, out, err)
}
