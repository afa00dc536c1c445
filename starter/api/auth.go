package api

import (
	"net/http"

	"awardengine/storage/postgres"
)

// personHandler is a route that needs the person making the request. Every route below it is
// tenant-scoped through that person. authenticatePerson (signin_auth.go) resolves them from a
// bearer token or a browser session cookie.
type personHandler func(w http.ResponseWriter, r *http.Request, me postgres.Person)
