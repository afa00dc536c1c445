package api

import (
	"net/http"
	"strconv"

	"awardengine/services/people"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The people of an authority, managed by its admins (services/people): thin adapters.

// people is the people service over the server's dependencies; invitations are the sign-in
// service's magic links.
func (s *Server) people() *people.Service {
	svc := &people.Service{DB: s.DB}
	if s.SignIn != nil {
		svc.Links = people.SignInLinks{SignIn: s.SignIn}
	}
	return svc
}

func (s *Server) peopleRoutes(authed func(string, personHandler)) {
	authed("GET /v1/people", s.listPeople)
	authed("POST /v1/people", s.invitePerson)
	authed("PUT /v1/people/{id}/roles", s.setPersonRoles)
	authed("POST /v1/people/{id}/deactivate", s.setPersonActive(false))
	authed("POST /v1/people/{id}/reactivate", s.setPersonActive(true))
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	query := r.URL.Query()
	q := structs.PeopleQuery{Query: query.Get("q"), Role: query.Get("role")}
	if v := query.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail(w, r, invalid("active", "true or false"))
			return
		}
		q.Active = &b
	}
	list, err := s.people().List(r.Context(), me, q)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) invitePerson(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.InviteRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.people().Invite(r.Context(), me, req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) setPersonRoles(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.RolesRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.people().SetRoles(r.Context(), me, r.PathValue("id"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) setPersonActive(active bool) personHandler {
	return func(w http.ResponseWriter, r *http.Request, me postgres.Person) {
		v, err := s.people().SetActive(r.Context(), me, r.PathValue("id"), active)
		if err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}
