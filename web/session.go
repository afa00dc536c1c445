package web

import (
	"errors"
	"net/http"
	"strings"

	"awardengine/award"
	"awardengine/services/signin"
)

// pageHandler is a page for a signed-in person.
type pageHandler func(w http.ResponseWriter, r *http.Request, me award.Person)

// nextCookie remembers the page a person asked for before signing in (an emailed link to
// their application), so sign-in ends there. It holds a path on this site only.
const nextCookie = "award_next"

// signedIn runs h for the person of the request's session, checked on every request (a
// deactivated person or a session ended everywhere is refused). Anyone else is sent to
// sign in, and comes back here afterwards.
func (s *Server) signedIn(h pageHandler) http.Handler {
	return s.Sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		me, err := s.person(r)
		var refused *signin.Error
		switch {
		case errors.As(err, &refused):
			if r.Method == http.MethodGet {
				http.SetCookie(w, &http.Cookie{Name: nextCookie, Value: r.URL.RequestURI(), Path: "/", MaxAge: 3600,
					HttpOnly: true, Secure: s.Sessions.Cookie.Secure, SameSite: http.SameSiteLaxMode})
			}
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		case err != nil:
			s.unavailable(w, r, award.Person{})
			return
		}
		h(w, r, me)
	}))
}

// takeNext returns the remembered page (a path on this site) and forgets it; the person's
// home page (homeFor) when there is none.
func takeNext(w http.ResponseWriter, r *http.Request, me award.Person) string {
	c, err := r.Cookie(nextCookie)
	if err != nil {
		return homeFor(me)
	}
	http.SetCookie(w, &http.Cookie{Name: nextCookie, Path: "/", MaxAge: -1})
	if !localPath(c.Value) {
		return homeFor(me)
	}
	return c.Value
}

// localPath says whether p is a path on this site: "/x" but not "//host" or "/\host", which
// browsers read as another site.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") &&
		award.CheckText("", p, award.SingleLine) == nil
}

// person is the request's signed-in person (its session's, checked now).
func (s *Server) person(r *http.Request) (award.Person, error) {
	if s.Who != nil {
		return s.Who(r)
	}
	return s.SignIn.SessionPerson(r.Context(), s.Sessions)
}
