package api

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"awardengine/services/signin"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Sign-in by emailed link (services/signin): the JSON request for a link, the pages an emailed
// link opens, sign-out, and `starter login`'s code exchange.

func (s *Server) signinRoutes(mux *http.ServeMux, authed func(string, personHandler)) {
	mux.HandleFunc("POST /v1/signin", s.requestLink)
	mux.HandleFunc("POST /v1/signin/cli/exchange", s.cliExchange)
	// The sign-in pages (GET/POST /signin, the link's Continue, sign-out) are web pages: web/signin.go.
	authed("POST /v1/signout/everywhere", s.signOutEverywhere)
}

type linkRequest struct {
	Tenant   string `json:"tenant"`
	Email    string `json:"email"`
	CLINonce string `json:"cli_nonce,omitempty"`
}

// linkSent is the one answer to every acceptable request for a link.
var linkSent = map[string]string{
	"status": "accepted",
	"detail": "If this address belongs to someone at this council, we have emailed them a sign-in link. It works once, for 15 minutes.",
}

func (s *Server) requestLink(w http.ResponseWriter, r *http.Request) {
	var req linkRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	err := s.SignIn.RequestLink(r.Context(), signin.LinkRequest{Tenant: req.Tenant, Email: req.Email, IP: clientIP(r), CLINonce: req.CLINonce})
	if err != nil {
		writeSigninError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, linkSent)
}

// clientIP is the address the request came from. Behind a proxy this is the proxy's: the
// per-IP limit then counts the proxy, which is safe (stricter), until deployment (issue 15)
// names a trusted proxy header.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeSigninError writes a sign-in refusal as a problem document (Retry-After when limited);
// any other error goes to fail.
func writeSigninError(w http.ResponseWriter, r *http.Request, err error) {
	var e *signin.Error
	if !errors.As(err, &e) {
		fail(w, r, err)
		return
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter.Seconds())+0.999)))
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="award"`)
	}
	p := structs.Problem{Status: e.Status, Type: e.Type, Title: e.Title, Detail: e.Detail}
	if e.Field != "" {
		p.Errors = []structs.FieldError{{Field: e.Field, Message: strings.TrimPrefix(e.Detail, e.Field+": ")}}
	}
	writeProblem(w, p)
}

// signOutEverywhere ends every session of the person (signed in by session or by token).
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := s.SignIn.EndAllSessions(r.Context(), me); err != nil {
		fail(w, r, err)
		return
	}
	if viaSession(r.Context()) {
		_ = signin.SignOut(r.Context(), s.Sessions)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "signed-out-everywhere"})
}

type cliExchangeRequest struct {
	CLINonce string `json:"cli_nonce"`
	Code     string `json:"code"`
	Host     string `json:"host"`
}

// cliExchange trades `starter login`'s code (with its nonce) for a new API token.
func (s *Server) cliExchange(w http.ResponseWriter, r *http.Request) {
	var req cliExchangeRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	tok, err := s.SignIn.CLIExchange(r.Context(), req.CLINonce, req.Code, req.Host)
	if err != nil {
		writeSigninError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tok)
}
