// Package api is the award engine's HTTP API (JSON, documented by openapi.yaml, errors as
// application/problem+json). It authenticates people by API token, checks what they may see,
// and drives journeys through Temporal Updates and Queries; lists come from PostgreSQL.
package api

import (
	_ "embed"
	"net/http"

	"github.com/alexedwards/scs/v2"
	"go.temporal.io/sdk/client"

	"awardengine/award"
	"awardengine/devmail"
	"awardengine/email/webhook"
	"awardengine/health"
	"awardengine/payloadcrypt"
	"awardengine/services/oidc"
	"awardengine/services/signin"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
	"awardengine/web"
	"awardengine/workflows"
)

//go:embed openapi.yaml
var openAPI []byte

// Server holds the API's dependencies.
type Server struct {
	DB       *postgres.DB
	Temporal client.Client
	// Namespace is the Temporal namespace of the journeys (for Temporal's own APIs); "awards" if empty.
	Namespace string
	Objects   *objects.Store
	Settings  award.Settings
	Limits    award.UploadLimits
	// Mailbox, when set (development), is the local mail endpoint's mailbox: its JSON at
	// /dev/mailbox.json and its fault switches at /dev/faults; the pages show it at
	// /dev/mailbox (web).
	Mailbox *devmail.Sink
	// Webhook verifies SendGrid's signed event webhook; nil disables the endpoint.
	Webhook *webhook.Verifier
	// TemporalUI is the Temporal Web UI's base URL, linked from admin pages ("" = no link).
	TemporalUI string
	// PayloadKeys decode Temporal payloads for the codec endpoint (codec.go); nil: no endpoint.
	PayloadKeys *payloadcrypt.Keys
	// SignIn is sign-in and credentials (services/signin); Sessions the browser sessions. Nil:
	// Handler makes them with defaults (no email provider: links cannot be sent).
	SignIn   *signin.Service
	Sessions *scs.SessionManager
	// OIDC configures council staff sign-in (services/oidc, oidc.go): its PublicURL, the base
	// of the redirect URIs registered at providers, is required for the routes; Handler sets
	// the store, the session start and the cookies' Secure flag.
	OIDC oidc.Config
	// CrashAt, set only by tests, is asked at each point of a registration where a process could
	// die (journey_starts.go); true stops the request there as a killed process would.
	CrashAt func(CrashPoint, workflows.ApplicationInput) bool
	// Health answers /livez and /readyz and serves /metrics (package health); nil: Handler
	// makes one over Temporal, DB and Objects.
	Health *health.Checks

	web *web.Server // the pages, over the same services (Handler makes it)
}

// Handler returns the routes, behind protect (security headers, clean paths and queries).
func (s *Server) Handler() http.Handler {
	if s.SignIn == nil {
		s.SignIn = signin.New(s.DB, nil, signin.Config{})
	}
	if s.Sessions == nil {
		s.Sessions = signin.NewSessions(s.DB, true)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.healthRoutes(mux) // /livez, /readyz, /metrics: ops.go
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	if s.Mailbox != nil {
		dev := s.Mailbox.Handler()
		mux.Handle("GET /dev/mailbox.json", dev)
		mux.Handle("/dev/faults", dev)
	}
	mux.HandleFunc("POST /v1/webhooks/sendgrid", s.sendgridEvents)
	// A bearer token or a session cookie (signin_auth.go).
	authed := func(pattern string, h personHandler) { mux.Handle(pattern, s.authenticatePerson(h)) }
	s.web = &web.Server{Apps: s.apps, SignIn: s.SignIn, Sessions: s.Sessions, DB: s.DB, PublicURL: s.OIDC.PublicURL}
	s.web.Admin = s.admin // the admins' pages (web/admin*.go)
	// The admins' people and cohort pages (web/admin_office*.go).
	s.web.People, s.web.Cohort = s.people, s.cohorts
	if s.Mailbox != nil {
		s.web.Mailbox = s.Mailbox // the mailbox page (web/mailbox.go)
	}
	if s.Objects != nil {
		s.web.StorageOrigin = s.Objects.Origin()
	}
	s.web.Register(mux)         // the web pages (HTML): package web
	s.signinRoutes(mux, authed) // magic links, sessions, starter login: signin.go
	s.tokenRoutes(authed)       // API tokens: tokens.go
	s.oidcRoutes(mux, authed)   // council staff sign-in and its settings: oidc.go
	authed("GET /v1/me", s.me)
	authed("POST /v1/applications", s.register)
	authed("GET /v1/applications", s.listApplications)
	authed("GET /v1/applications/{id}", s.getApplication)
	authed("GET /v1/applications/{id}/framework", s.getFramework)
	authed("GET /v1/applications/{id}/toolkit", s.openToolkit)
	authed("POST /v1/applications/{id}/evidence", s.addEvidence)
	authed("POST /v1/applications/{id}/evidence/{evidence}/confirm", s.confirmEvidence)
	authed("POST /v1/applications/{id}/evidence/batch", s.addEvidenceBatch)
	authed("POST /v1/applications/{id}/evidence/batch/confirm", s.confirmEvidenceBatch)
	authed("PUT /v1/applications/{id}/evidence/{evidence}/standards", s.mapEvidence)
	authed("DELETE /v1/applications/{id}/evidence/{evidence}", s.removeEvidence)
	authed("POST /v1/applications/{id}/submit", s.submit)
	authed("POST /v1/applications/{id}/withdraw", s.withdraw)
	s.assessmentRoutes(authed) // offers, assessment, moderation, certificate: assessment.go
	s.lifecycleRoutes(authed)  // reapplying, legal hold: lifecycle.go
	s.adminRoutes(authed)      // reports, audit trail, search, application detail: admin.go
	s.actionRoutes(authed)     // nudge, extend, retry: actions.go
	s.stuckRoutes(authed)      // the admins' stuck list: stuck.go
	s.dashboardRoutes(authed)  // the admins' dashboard, an application's actions and allocation candidates: dashboard.go
	s.peopleRoutes(authed)     // the authority's people and roles (admins): people.go
	s.cohortRoutes(authed)     // the cohort import (admins): cohort.go
	s.settingsRoutes(authed)   // the tenant's settings, one person, one roster entry (admins): settings.go
	// The assessor roster (admins): roster.go.
	authed("GET /v1/roster", s.listRoster)
	authed("PUT /v1/roster/{person}", s.putRoster)
	authed("POST /v1/roster/{person}/conflicts", s.addConflict)
	authed("DELETE /v1/roster/{person}/conflicts/{setting}", s.removeConflict)
	authed("PUT /v1/roster/{person}/roles/{role}", s.grantRole)
	authed("DELETE /v1/roster/{person}/roles/{role}", s.revokeRole)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found",
			Detail: "no such endpoint: " + r.Method + " " + r.URL.Path + " (see /openapi.yaml)"})
	})
	return observe(protect(s.withCodec(crossOriginProtection(mux)))) // codec endpoint: codec.go
}
