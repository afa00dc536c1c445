package web

import (
	"net/http"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The supporter's pages: the applications of the settings they support (stage, next step,
// due date), read-only, and per application the copies of its emails they were sent. The
// application's own page (/applications/{id}) shows them its progress, read-only too.

func (s *Server) supporterRoutes(mux *http.ServeMux) {
	mux.Handle("GET /supporting", s.signedIn(s.supporting))
	mux.Handle("GET /supporting/{id}", s.signedIn(s.supported))
}

func init() {
	funcs["emailSent"] = emailSent
}

// supportingData is the "Settings you support" page.
type supportingData struct {
	Applications []postgres.Application
}

func (s *Server) supporting(w http.ResponseWriter, r *http.Request, me award.Person) {
	apps, err := s.Apps().Supporting(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "supporter/supporting", &Page{Title: "Settings you support", Me: me,
		Data: supportingData{Applications: apps}})
}

// supportedData is one supported application's page.
type supportedData struct {
	App    postgres.Application
	Copies []structs.SentEmail
}

func (s *Server) supported(w http.ResponseWriter, r *http.Request, me award.Person) {
	got, err := s.Apps().SupporterCopies(r.Context(), me, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "supporter/application", &Page{Title: got.Application.SettingName, Me: me, Back: "/supporting",
		Data: supportedData{App: got.Application, Copies: got.Copies}})
}

// emailSent says when an email went, or what became of it.
func emailSent(e structs.SentEmail) string {
	switch {
	case e.SentAt != nil:
		return formatDateTime(e.SentAt)
	case e.Status == "failed":
		return "Could not be delivered"
	}
	return "Being sent"
}
