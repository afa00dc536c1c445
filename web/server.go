// Package web is the product's web pages: server-rendered HTML over the same service layer as
// the JSON API (services/...), styled with the GOV.UK Design System (govuk-frontend, compiled
// into static/ and embedded). A page handler reads the form, calls one service function and
// renders its answer or its refusal; it never checks access itself (the services do) and
// never calls the API over HTTP. Templates live in one folder per role (templates/).
package web

import (
	"net/http"

	"github.com/alexedwards/scs/v2"

	"awardengine/award"
	"awardengine/services/admin"
	"awardengine/services/applications"
	"awardengine/services/cohort"
	"awardengine/services/offerlinks"
	"awardengine/services/people"
	"awardengine/services/signin"
	"awardengine/storage/postgres"
)

// Server holds the pages' dependencies.
type Server struct {
	// Apps returns the applications service (the API server builds it, so both adapters
	// share one configuration).
	Apps func() *applications.Service
	// Admin returns the admin service (dashboard, stuck list, search, detail, roster, reports).
	Admin    func() *admin.Service
	SignIn   *signin.Service
	Sessions *scs.SessionManager
	// DB names tenants in the header.
	DB *postgres.DB
	// StorageOrigin is the scheme://host[:port] of presigned links (object storage): the
	// browser uploads evidence straight to it, so the Content-Security-Policy allows it in
	// connect-src (JavaScript PUT) and form-action (the no-JavaScript POST).
	StorageOrigin string
	// PublicURL is the site's address as people reach it (https://awards.council.example):
	// the address storage sends a browser back to after an upload without JavaScript.
	PublicURL string
	// Who, when set (handler tests), names the request's person instead of its session.
	Who func(r *http.Request) (award.Person, error)
	// Mailbox, when set (development), is every email sent: shown at /dev/mailbox (mailbox.go),
	// linked from sign-in.
	Mailbox Mailbox
	// People returns the people service (invite, roles, deactivate).
	People func() *people.Service
	// Cohort returns the cohort import service.
	Cohort func() *cohort.Service
	// OfferLinks, when set (handler tests), is the one-click offer link service; else it is
	// built over DB and Apps.
	OfferLinks *offerlinks.Service
	// Tokens, when set (handler tests), lists and revokes people's API tokens instead of SignIn.
	Tokens PersonTokens
}

// Register adds the pages to mux. Every path here is a page (HTML); the API keeps /v1/.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("GET /assets/", assets())
	mux.HandleFunc("GET /{$}", s.home)
	s.signinRoutes(mux)
	s.applicantRoutes(mux)
	s.supporterRoutes(mux)
	s.assessorRoutes(mux)    // inbox, offers, portfolio viewer, scoring: assessor.go
	s.offerLinkRoutes(mux)   // the one-click offer link from email: offerlink.go
	s.moderatorRoutes(mux)   // queue, moderation: moderator.go
	s.adminRoutes(mux)       // dashboard, stuck list and actions, search, application: admin.go
	s.adminOfficeRoutes(mux) // reports, audit, people and roster, settings, cohort: admin_office.go
	if s.Mailbox != nil {
		s.mailboxRoutes(mux) // development: every email sent, as a page (mailbox.go)
	}
	// Any other path outside /v1/ is a page that does not exist.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r, award.Person{}) })
}

// home sends a signed-in person to the first page of their work (homeFor), anyone else to
// sign in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.Sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if me, err := s.person(r); err == nil {
			http.Redirect(w, r, homeFor(me), http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	})).ServeHTTP(w, r)
}

// homeFor is where a person's work starts: an admin's dashboard, an assessor's inbox, a
// moderator's queue, a supporter's list, else their applications.
func homeFor(me award.Person) string {
	switch {
	case me.Has(award.RoleAdmin):
		return "/admin"
	case me.Has(award.RoleAssessor):
		return "/assess"
	case me.Has(award.RoleModerator):
		return "/moderate"
	case me.Has(award.RoleSupporter) && !me.Has(award.RoleApplicant):
		return "/supporting"
	}
	return "/applications"
}
