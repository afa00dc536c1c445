package api

import (
	"net/http"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Routes of admins' actions that unstick a journey (reassign, allocate and withdraw live with
// their stages).
func (s *Server) actionRoutes(authed func(string, personHandler)) {
	authed("POST /v1/applications/{id}/nudge", s.nudge)
	authed("POST /v1/applications/{id}/extend", s.extend)
	authed("POST /v1/applications/{id}/retry", s.retry)
}

// nudge resends the current step's reminder to whoever holds it.
func (s *Server) nudge(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ReasonRequest
	if err := decodeOptional(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Nudge(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

// extend moves the current step's deadline; reminders and escalations move with it.
func (s *Server) extend(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ExtendRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Extend(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

// retry runs a journey's failing activities again now, or starts a journey a registration is
// still owed (services/admin.Service.Retry).
func (s *Server) retry(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	out, err := s.admin().Retry(r.Context(), me, r.PathValue("id"))
	answer(w, r, http.StatusOK, out, err)
}
