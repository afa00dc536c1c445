package api

import (
	"net/http"

	"awardengine/storage/postgres"
)

// The admins' stuck list (SPEC §4; services/admin.Service.Stuck).
func (s *Server) stuckRoutes(authed func(string, personHandler)) {
	authed("GET /v1/admin/stuck", s.stuckList)
}

func (s *Server) stuckList(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	out, err := s.admin().Stuck(r.Context(), me)
	answer(w, r, http.StatusOK, out, err)
}
