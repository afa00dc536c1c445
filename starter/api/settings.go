package api

import (
	"net/http"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The tenant's settings (services/admin settings.go), and the one-person reads the admin's
// people pages use (a person, their roster entry): admins only, their own tenant only.
func (s *Server) settingsRoutes(authed func(string, personHandler)) {
	authed("GET /v1/admin/settings", s.getSettings)
	authed("PUT /v1/admin/settings", s.putSettings)
	authed("GET /v1/people/{id}", s.getPerson)
	authed("GET /v1/roster/{person}", s.getRosterEntry)
}

// getSettings is GET /v1/admin/settings: the council's name, deadlines and reminder timings,
// an award's validity, retention and email templates.
func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	v, err := s.admin().Settings(r.Context(), me)
	answer(w, r, http.StatusOK, v, err)
}

// putSettings is PUT /v1/admin/settings: the fields given change (each checked, all refusals
// in one answer), audited as settings_changed; the answer lists what changed.
func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.SettingsUpdate
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.admin().PutSettings(r.Context(), me, req)
	answer(w, r, http.StatusOK, v, err)
}

// getPerson is GET /v1/people/{id}: one person of the admin's authority.
func (s *Server) getPerson(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	v, err := s.people().Person(r.Context(), me, r.PathValue("id"))
	answer(w, r, http.StatusOK, v, err)
}

// getRosterEntry is GET /v1/roster/{person}: one assessor's or moderator's roster entry.
func (s *Server) getRosterEntry(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	v, err := s.admin().RosterEntry(r.Context(), me, r.PathValue("person"))
	answer(w, r, http.StatusOK, v, err)
}
