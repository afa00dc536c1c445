package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"awardengine/services/signin"
)

// Authentication of every /v1 route: a bearer token (scripts, the CLI) or a browser session
// cookie. Either way the person is checked on every request, so a revoked or expired token,
// a deactivated person, or a session ended everywhere is refused at once.

type sessionCtxKey struct{}

// viaSession says whether the request was authenticated by a session cookie (so the session
// is loaded in its context) rather than by a bearer token.
func viaSession(ctx context.Context) bool { return ctx.Value(sessionCtxKey{}) != nil }

var invalidForSession = &signin.Error{Status: http.StatusBadRequest, Type: "bearer-token-required", Title: "Bad request",
	Detail: "this revokes the API token the request is sent with: send it as Authorization: Bearer <token>"}

func (s *Server) authenticatePerson(h personHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); auth != "" {
			token, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				writeSigninError(w, r, signin.ErrNotSignedIn)
				return
			}
			me, err := s.SignIn.Authenticate(r.Context(), token)
			if err != nil {
				authFailed(w, r, err)
				return
			}
			h(w, r, me)
			return
		}
		if _, err := r.Cookie(s.Sessions.Cookie.Name); err == nil {
			s.Sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				me, err := s.SignIn.SessionPerson(r.Context(), s.Sessions)
				if err != nil {
					authFailed(w, r, err)
					return
				}
				h(w, r.WithContext(context.WithValue(r.Context(), sessionCtxKey{}, true)), me)
			})).ServeHTTP(w, r)
			return
		}
		writeSigninError(w, r, signin.ErrNotSignedIn)
	})
}

// authFailed writes a refusal of credentials, or — when the database could not say — that
// nothing was done.
func authFailed(w http.ResponseWriter, r *http.Request, err error) {
	var e *signin.Error
	if errors.As(err, &e) {
		writeSigninError(w, r, err)
		return
	}
	fail(w, r, unchanged(err)) // nothing is done before the person is known
}

// crossOriginProtection refuses state-changing requests a browser sends from another site
// (CSRF), with the standard library's check: Sec-Fetch-Site, or else Origin against Host.
// Requests with neither header — scripts and the CLI with bearer tokens — pass, as do GET,
// HEAD and OPTIONS, which change nothing here.
func crossOriginProtection(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeSigninError(w, r, &signin.Error{Status: http.StatusForbidden, Type: "cross-origin", Title: "Cross-origin request refused",
			Detail: "this request came from another site; nothing was done"})
	}))
	return cop.Handler(h)
}
