package api

import (
	"net/http"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The assessor roster (admins; services/admin roster.go).

func (s *Server) listRoster(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	roster, err := s.admin().Roster(r.Context(), me)
	answer(w, r, http.StatusOK, map[string]any{"assessors": roster}, err)
}

func (s *Server) putRoster(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.RosterUpdate
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	p, err := s.admin().PutRoster(r.Context(), me, r.PathValue("person"), req)
	answer(w, r, http.StatusOK, p, err)
}

func (s *Server) addConflict(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ConflictRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	p, err := s.admin().AddConflict(r.Context(), me, r.PathValue("person"), req)
	answer(w, r, http.StatusCreated, p, err)
}

func (s *Server) removeConflict(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := s.admin().RemoveConflict(r.Context(), me, r.PathValue("person"), r.PathValue("setting")); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// grantRole is PUT /v1/roster/{person}/roles/{role}: assessor or moderator (audited; idempotent).
func (s *Server) grantRole(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	v, err := s.admin().GrantRole(r.Context(), me, r.PathValue("person"), r.PathValue("role"))
	answer(w, r, http.StatusOK, v, err)
}

// revokeRole is DELETE /v1/roster/{person}/roles/{role}: refused (409) while the person holds
// open work in that role.
func (s *Server) revokeRole(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	v, err := s.admin().RevokeRole(r.Context(), me, r.PathValue("person"), r.PathValue("role"))
	answer(w, r, http.StatusOK, v, err)
}
