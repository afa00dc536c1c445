package web

import (
	"net/http"
	"strings"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// problemPage is the data of the page shown for a refusal that no form can show beside its
// fields (not found, a journey still starting, a service down).
type problemPage struct {
	Detail string
	Retry  bool // the same request may succeed shortly
}

// fail shows a service's error as a page: a page another person's application would show is
// "Page not found" (never whether it exists), and an error of unknown effect says so.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, me award.Person, err error) {
	p := applications.RequestProblem(r, err)
	switch p.Status {
	case http.StatusNotFound:
		s.notFound(w, r, me)
		return
	case http.StatusForbidden:
		// The services refuse with 403 only what the person may know exists (a page of
		// another role, an action on an application they can see): say so plainly.
		s.forbidden(w, r, me, p.Detail)
		return
	}
	title := "Sorry, there is a problem"
	if p.Status >= 500 || p.Type == applications.TypeJourneyStarting {
		title = "Sorry, there is a problem with the service"
	}
	s.render(w, r, p.Status, "shared/problem", &Page{Title: title, Me: me,
		Data: problemPage{Detail: upperFirst(p.Detail), Retry: p.Status >= 500 || p.Type == applications.TypeJourneyStarting}})
}

// notFound is the one "Page not found" page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.render(w, r, http.StatusNotFound, "shared/not-found", &Page{Title: "Page not found", Me: me})
}

// forbidden is the "you cannot do this" page: the person is signed in, but their roles do not
// allow this page or action.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, me award.Person, detail string) {
	s.render(w, r, http.StatusForbidden, "shared/forbidden", &Page{Title: "You cannot do this", Me: me,
		Data: problemPage{Detail: upperFirst(strings.TrimSuffix(detail, "."))}})
}

// unavailable says the service cannot answer now (the database is down) and nothing was done.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.render(w, r, http.StatusServiceUnavailable, "shared/problem", &Page{Title: "Sorry, the service is unavailable", Me: me,
		Data: problemPage{Detail: "Nothing was changed. Try again in a few minutes.", Retry: true}})
}

// formErrors turns a refusal into the error summary's entries: each field error as it is, or
// the refusal's detail when it names no field. ok is false for an error a form cannot show
// (not found, unknown outcome, a service down): the caller then shows fail's page.
func formErrors(err error) (errs []structs.FieldError, ok bool) {
	p, known := applications.Problem(err, false)
	if !known || p.Status == http.StatusNotFound || p.Status == http.StatusForbidden || p.Status >= 500 {
		return nil, false
	}
	if len(p.Errors) > 0 {
		for _, e := range p.Errors {
			errs = append(errs, structs.FieldError{Field: e.Field, Message: upperFirst(e.Message)})
		}
		return errs, true
	}
	return []structs.FieldError{{Message: upperFirst(p.Detail)}}, true
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

type fieldErr = structs.FieldError
