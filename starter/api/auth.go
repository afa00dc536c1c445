package api

import (
	"errors"
	"net/http"
	"strings"

	"awardengine/storage/postgres"
	"awardengine/workflows"
)

type personHandler func(w http.ResponseWriter, r *http.Request, me postgres.Person)

// authenticate resolves the bearer token to a person; every route below it is tenant-scoped
// through that person.
func (s *Server) authenticate(h personHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="award"`)
			writeProblem(w, problem{Status: http.StatusUnauthorized, Type: "unauthorized", Title: "Not signed in",
				Detail: "send your API token as: Authorization: Bearer <token>"})
			return
		}
		me, err := s.DB.Authenticate(r.Context(), token)
		if errors.Is(err, postgres.ErrNotFound) {
			writeProblem(w, problem{Status: http.StatusUnauthorized, Type: "unauthorized", Title: "Not signed in",
				Detail: "this API token is not valid"})
			return
		}
		if err != nil {
			fail(w, r, unchanged(err)) // nothing is done before the person is known
			return
		}
		h(w, r, me)
	})
}

// access is what a person may do with an application.
type access int

const (
	canRead access = iota // applicant, supporter, admin, and the assessor or moderator holding it
	canAct                // applicant, admin
	canHold               // the assessor or moderator holding it (and admins, whom the journey then checks)
)

// application loads an application the person may see, or answers 404 without saying whether
// it exists: another tenant's or another applicant's application is simply not there.
func (s *Server) application(r *http.Request, me postgres.Person, need access) (postgres.Application, error) {
	id := r.PathValue("id")
	app, err := s.DB.Application(r.Context(), me.TenantID, id)
	if errors.Is(err, postgres.ErrNotFound) {
		return app, notFound("no application " + id)
	}
	if err != nil {
		return app, unchanged(err) // the access check comes first: nothing was done yet
	}
	switch {
	case me.Has(postgres.RoleAdmin):
		return app, nil
	case s.holds(r.Context(), app, me):
		if need == canAct {
			return app, forbidden("assessors and moderators read the portfolio but do not change it")
		}
		return app, nil
	case need == canHold && (app.ApplicantID == me.ID || app.SupporterID == me.ID):
		return app, forbidden("only the assessor or moderator holding this application may do this")
	case need == canHold:
		return app, notFound("no application " + id)
	case me.Has(postgres.RoleApplicant) && app.ApplicantID == me.ID:
		return app, nil
	case me.Has(postgres.RoleSupporter) && app.SupporterID == me.ID:
		if need == canAct {
			return app, forbidden("supporters can follow an application but not change it")
		}
		return app, nil
	}
	return app, notFound("no application " + id)
}

// actor is the person as the workflow sees them: as admin if they hold that role.
func actor(me postgres.Person) workflows.Actor {
	if me.Has(postgres.RoleAdmin) {
		return workflows.Actor{ID: me.ID, Role: workflows.RoleAdmin}
	}
	return workflows.Actor{ID: me.ID, Role: workflows.RoleApplicant}
}
