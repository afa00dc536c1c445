package web

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"awardengine/award"
	"awardengine/services/signin"
)

// Sign-in by emailed link (services/signin): ask for a link, "check your email", the page the
// link opens (its GET never uses the link: mail scanners open links first), and sign-out.

func (s *Server) signinRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signinForm)
	mux.HandleFunc("GET /signin/continue", s.continuePage)
	mux.Handle("POST /signin/continue", s.Sessions.LoadAndSave(http.HandlerFunc(s.continueSignIn)))
	mux.Handle("GET /signin/done", s.Sessions.LoadAndSave(http.HandlerFunc(s.signedInPage)))
	mux.Handle("POST /signout", s.Sessions.LoadAndSave(http.HandlerFunc(s.signOut)))
	mux.Handle("POST /signout/everywhere", s.signedIn(s.signOutEverywhere))
	mux.HandleFunc("GET /accessibility", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "shared/accessibility", &Page{Title: "Accessibility statement"})
	})
}

// signinData is the sign-in form's content.
type signinData struct {
	Email, Tenant string
	Mailbox       bool // development: the emailed link is in /dev/mailbox
}

// message is a page of paragraphs with, optionally, one button (a GET or POST form).
type message struct {
	Paragraphs []string
	Code       string // a starter login code
	Button     string
	Action     string
	Post       bool
	Hidden     map[string]string
}

// Message renders a page of paragraphs in the layout (the API's council sign-in refusals).
func (s *Server) Message(w http.ResponseWriter, r *http.Request, status int, title string, m message) {
	s.render(w, r, status, "signin/message", &Page{Title: title, Data: m})
}

// Refusal is Message for a page with a link back to the emailed-link sign-in.
func (s *Server) Refusal(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	s.Message(w, r, status, title, message{Paragraphs: []string{upperFirst(detail), "You can sign in with a link we email you instead."},
		Button: "Sign in with an emailed link", Action: "/signin"})
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenant")
	s.render(w, r, http.StatusOK, "signin/request", &Page{Title: "Sign in", TenantName: s.tenantName(r, tenant),
		Data: signinData{Tenant: tenant, Mailbox: s.Mailbox != nil}})
}

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		s.Message(w, r, http.StatusBadRequest, "Sign in", message{Paragraphs: []string{"The form could not be read. Go back and try again."}})
		return
	}
	in := signinData{Email: r.PostForm.Get("email"), Tenant: r.PostForm.Get("tenant"), Mailbox: s.Mailbox != nil}
	err := s.SignIn.RequestLink(r.Context(), signin.LinkRequest{Tenant: in.Tenant, Email: in.Email, IP: clientIP(r)})
	var e *signin.Error
	switch {
	case errors.As(err, &e):
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.999)))
		}
		field := e.Field
		if field == "" && e.Status != http.StatusTooManyRequests {
			field = "email"
		}
		s.render(w, r, e.Status, "signin/request", &Page{Title: "Sign in", TenantName: s.tenantName(r, in.Tenant),
			Errors: oneError(field, strings.TrimPrefix(e.Detail, e.Field+": ")), Data: in})
	case err != nil:
		slog.Error("sign-in link request failed", "error", err)
		s.Message(w, r, http.StatusServiceUnavailable, "Sorry, the service is unavailable",
			message{Paragraphs: []string{"No email was sent. Try again in a few minutes."}})
	default:
		paras := []string{"If this address belongs to someone at this council, we have emailed them a sign-in link.",
			"The link works once, for 15 minutes. If it does not arrive, check your spam folder or ask for another."}
		m := message{Paragraphs: paras}
		if s.Mailbox != nil {
			m.Paragraphs = append(m.Paragraphs, "This is a development service: the email is in the development mailbox.")
			m.Button, m.Action = "Open the development mailbox", "/dev/mailbox"
		}
		s.render(w, r, http.StatusAccepted, "signin/message", &Page{Title: "Check your email", TenantName: s.tenantName(r, in.Tenant),
			Data: m})
	}
}

// continuePage is what an emailed link opens: a button that uses the link.
func (s *Server) continuePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	info, err := s.SignIn.CheckLink(r.Context(), token)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	m := message{Paragraphs: []string{"Select Continue to sign in."}, Button: "Continue", Action: "/signin/continue", Post: true,
		Hidden: map[string]string{"token": token}}
	if info.Purpose == signin.PurposeCLI {
		m.Paragraphs = []string{"Select Continue to get the code for starter login. You will not be signed in to this browser."}
	}
	s.Message(w, r, http.StatusOK, "Sign in", m)
}

func (s *Server) linkError(w http.ResponseWriter, r *http.Request, err error) {
	var e *signin.Error
	if !errors.As(err, &e) {
		s.Message(w, r, http.StatusServiceUnavailable, "Sorry, the service is unavailable",
			message{Paragraphs: []string{"You have not been signed in. Try the link again in a few minutes."}})
		return
	}
	s.Message(w, r, e.Status, e.Title, message{Paragraphs: []string{upperFirst(e.Detail)}, Button: "Ask for a new link", Action: "/signin"})
}

// continueSignIn uses the link: a browser link starts a session (under a new session token)
// and goes to the page the person first asked for; a CLI link shows its code.
func (s *Server) continueSignIn(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		s.linkError(w, r, signin.ErrLinkUnknown)
		return
	}
	in, err := s.SignIn.UseLink(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	if in.Purpose == signin.PurposeCLI {
		s.Message(w, r, http.StatusOK, "Your starter login code", message{Code: in.Code,
			Paragraphs: []string{"Type or paste it into the starter login prompt. It works once, until the link would have expired."}})
		return
	}
	if err := signin.StartSession(r.Context(), s.Sessions, in); err != nil {
		s.unavailable(w, r, award.Person{})
		return
	}
	http.Redirect(w, r, "/signin/done", http.StatusSeeOther)
}

// signedInPage ends every sign-in (emailed link or council sign-in): it goes on to the page
// the person first asked for, or the first page of their work.
func (s *Server) signedInPage(w http.ResponseWriter, r *http.Request) {
	me, err := s.person(r)
	if err != nil {
		s.Message(w, r, http.StatusOK, "You are not signed in", message{Button: "Sign in", Action: "/signin"})
		return
	}
	http.Redirect(w, r, takeNext(w, r, me), http.StatusSeeOther)
}

// signOut ends this browser's session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if err := signin.SignOut(r.Context(), s.Sessions); err != nil {
		s.unavailable(w, r, award.Person{})
		return
	}
	s.Message(w, r, http.StatusOK, "You are signed out", message{Button: "Sign in again", Action: "/signin"})
}

// signOutEverywhere ends every session of the person.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, me award.Person) {
	if err := s.SignIn.EndAllSessions(r.Context(), me); err != nil {
		s.unavailable(w, r, me)
		return
	}
	_ = signin.SignOut(r.Context(), s.Sessions)
	s.Message(w, r, http.StatusOK, "You are signed out everywhere", message{
		Paragraphs: []string{"Every browser signed in as you has been signed out."}, Button: "Sign in again", Action: "/signin"})
}

// readForm parses a posted form of at most 64 KiB.
func readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	return r.ParseForm() == nil
}

func oneError(field, msg string) []fieldErr {
	return []fieldErr{{Field: field, Message: upperFirst(msg)}}
}

// clientIP is the address the request came from (see the API's clientIP).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
