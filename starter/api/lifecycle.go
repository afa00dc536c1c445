package api

import (
	"net/http"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Routes of stages 10–11 and retention: reapplying, and an admin's legal hold.
func (s *Server) lifecycleRoutes(authed func(string, personHandler)) {
	authed("POST /v1/applications/{id}/reapply", s.reapply)
	authed("POST /v1/applications/{id}/legal-hold", s.legalHold)
}

// reapply starts a reassessment of an award held (applications.Service.Reapply).
func (s *Server) reapply(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ReapplyRequest
	if err := decodeOptional(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	reg, err := s.apps().Reapply(r.Context(), me, r.PathValue("id"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeRegistration(w, reg)
}

// legalHold sets or lifts a legal hold: while it is on, the application's data is not erased.
func (s *Server) legalHold(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.LegalHoldRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().LegalHold(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}
