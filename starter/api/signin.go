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
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signinForm)
	mux.HandleFunc("GET /signin/continue", s.continuePage)
	mux.Handle("POST /signin/continue", s.Sessions.LoadAndSave(http.HandlerFunc(s.continueSignIn)))
	mux.Handle("GET /signin/done", s.Sessions.LoadAndSave(http.HandlerFunc(s.signedInPage)))
	mux.Handle("POST /signout", s.Sessions.LoadAndSave(http.HandlerFunc(s.signOut)))
	authed("POST /signout/everywhere", s.signOutEverywhere)
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

// signinPage is the form asking for a link (tenant prefilled from ?tenant=).
func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	writePage(w, http.StatusOK, page{Title: "Sign in",
		Paragraphs: []string{"We will email you a link to sign in. It works once, for 15 minutes."},
		Form: &pageForm{Action: "/signin", Button: "Email me a link", Fields: []pageField{
			{Name: "email", Label: "Email address", Type: "email", Autocomplete: "email"},
			{Name: "tenant", Label: "Council (for example northshire)", Type: "text", Value: r.URL.Query().Get("tenant"), Autocomplete: "off"},
		}}})
}

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		writePage(w, http.StatusBadRequest, page{Title: "Sign in", Paragraphs: []string{"The form could not be read. Go back and try again."}})
		return
	}
	err := s.SignIn.RequestLink(r.Context(), signin.LinkRequest{Tenant: r.PostForm.Get("tenant"), Email: r.PostForm.Get("email"), IP: clientIP(r)})
	var e *signin.Error
	switch {
	case errors.As(err, &e):
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter.Seconds())+0.999)))
		}
		writePage(w, e.Status, page{Title: "Sign in", Paragraphs: []string{upperFirst(e.Detail) + "."}})
	case err != nil:
		writePage(w, http.StatusServiceUnavailable, page{Title: "Sign in", Paragraphs: []string{"Something went wrong on our side. Try again in a few minutes."}})
	default:
		writePage(w, http.StatusAccepted, page{Title: "Check your email", Paragraphs: []string{linkSent["detail"]}})
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// continuePage is what an emailed link opens. It does not use the token: mail scanners open
// links before people do. Only the form's POST uses it.
func (s *Server) continuePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	info, err := s.SignIn.CheckLink(r.Context(), token)
	if err != nil {
		linkErrorPage(w, err)
		return
	}
	p := page{Title: "Sign in", Paragraphs: []string{"Select Continue to sign in."},
		Form: &pageForm{Action: "/signin/continue", Button: "Continue", Hidden: []pageField{{Name: "token", Value: token}}}}
	if info.Purpose == signin.PurposeCLI {
		p.Paragraphs = []string{"Select Continue to get the code for starter login. You will not be signed in to this browser."}
	}
	writePage(w, http.StatusOK, p)
}

func linkErrorPage(w http.ResponseWriter, err error) {
	var e *signin.Error
	if !errors.As(err, &e) {
		writePage(w, http.StatusServiceUnavailable, page{Title: "Sign in", Paragraphs: []string{"Something went wrong on our side. Try the link again in a few minutes."}})
		return
	}
	writePage(w, e.Status, page{Title: e.Title, Paragraphs: []string{e.Detail},
		Form: &pageForm{Method: "get", Action: "/signin", Button: "Ask for a new link"}})
}

// continueSignIn uses the link: a browser link starts a session (a new session token) and
// goes to the signed-in page; a CLI link shows its code.
func (s *Server) continueSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		linkErrorPage(w, signin.ErrLinkUnknown)
		return
	}
	in, err := s.SignIn.UseLink(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		linkErrorPage(w, err)
		return
	}
	if in.Purpose == signin.PurposeCLI {
		writePage(w, http.StatusOK, page{Title: "Your starter login code", Code: in.Code})
		return
	}
	if err := signin.StartSession(r.Context(), s.Sessions, in); err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/signin/done", http.StatusSeeOther)
}

// signedInPage says who is signed in, with sign-out buttons.
func (s *Server) signedInPage(w http.ResponseWriter, r *http.Request) {
	me, err := s.SignIn.SessionPerson(r.Context(), s.Sessions)
	if err != nil {
		writePage(w, http.StatusOK, page{Title: "You are not signed in",
			Form: &pageForm{Method: "get", Action: "/signin", Button: "Sign in"}})
		return
	}
	writePage(w, http.StatusOK, page{Title: "You are signed in",
		Paragraphs: []string{"Signed in as " + me.Name + "."},
		Form: &pageForm{Action: "/signout", Button: "Sign out",
			More: []*pageForm{{Action: "/signout/everywhere", Button: "Sign out everywhere"}}}})
}

// signOut ends this browser's session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if err := signin.SignOut(r.Context(), s.Sessions); err != nil {
		fail(w, r, err)
		return
	}
	writePage(w, http.StatusOK, page{Title: "You are signed out", Form: &pageForm{Method: "get", Action: "/signin", Button: "Sign in again"}})
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
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, map[string]string{"status": "signed-out-everywhere"})
		return
	}
	writePage(w, http.StatusOK, page{Title: "You are signed out everywhere",
		Paragraphs: []string{"Every browser signed in as you has been signed out."},
		Form:       &pageForm{Method: "get", Action: "/signin", Button: "Sign in again"}})
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
