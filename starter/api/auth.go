package api

import (
	"errors"
	"net/http"
	"strings"

	"awardengine/storage/postgres"
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
