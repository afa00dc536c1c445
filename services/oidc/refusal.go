package oidc

import (
	"html/template"
	"net/http"
)

// Refusal is a sign-in this package will not complete, said to the person in words they can
// act on. It never holds personal data or a provider's own error text.
type Refusal struct {
	Status int
	Type   string // stable, for tests and logs: "not-invited", "expired", ...
	Title  string
	Detail string
}

func (r *Refusal) Error() string { return r.Type + ": " + r.Title }

func refuse(status int, typ, title, detail string) *Refusal {
	return &Refusal{Status: status, Type: typ, Title: title, Detail: detail}
}

var (
	errNotConfigured = refuse(http.StatusNotFound, "oidc-not-configured",
		"Signing in with a council account is not set up here",
		"Sign in with the link we email you instead, or ask your award team.")
	errProviderDown = refuse(http.StatusBadGateway, "oidc-provider-unavailable",
		"Your council's sign-in service is not answering",
		"Try again in a few minutes, or sign in with the link we email you.")
	errFlowUnknown = refuse(http.StatusBadRequest, "oidc-sign-in-expired",
		"This sign-in has expired or was started in another browser",
		"Start again from the sign-in page, in this browser. A sign-in lasts ten minutes and can be used once.")
	errProviderRefused = refuse(http.StatusBadRequest, "oidc-provider-refused",
		"Your council's sign-in service did not sign you in",
		"Start again from the sign-in page. If it keeps happening, ask your award team.")
	errTokenInvalid = refuse(http.StatusBadRequest, "oidc-token-invalid",
		"This sign-in could not be verified",
		"Start again from the sign-in page. If it keeps happening, ask your award team.")
	errEmailUnverified = refuse(http.StatusForbidden, "oidc-email-unverified",
		"Your council account did not confirm your email address",
		"We match your first sign-in to your invitation by a confirmed email address. Ask your award team.")
	errNotInvited = refuse(http.StatusForbidden, "oidc-not-invited",
		"You are not on this award's team yet",
		"Signing in with a council account is for assessors, moderators and admins. Ask your award team to invite you, using the email address of your council account.")
	// ErrDeactivated is exported for the caller's SignIn, which may find the person deactivated
	// between the check here and the session's start.
	ErrDeactivated = refuse(http.StatusForbidden, "oidc-deactivated",
		"Your account here is not active",
		"Ask your award team to reactivate it.")
	errOtherAccount = refuse(http.StatusForbidden, "oidc-other-account-linked",
		"Your invitation is already linked to a different council account",
		"Sign in with the council account you used before, or ask your award team.")
)

var refusalPage = template.Must(template.New("refusal").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><main><h1>{{.Title}}</h1><p>{{.Detail}}</p><p><a href="/">Back to the start</a></p></main></body></html>
`))

// WriteRefusal shows a refusal as a page (the default of Config.Refused).
func WriteRefusal(w http.ResponseWriter, _ *http.Request, ref *Refusal) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(ref.Status)
	_ = refusalPage.Execute(w, ref)
}
