package web

import (
	"errors"
	"net/http"
	"strings"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/offerlinks"
	"awardengine/storage/postgres"
)

// The one-click offer link (issue 13; services/offerlinks): the link in an assessor_offer
// email opens that one offer's page, where its assessor accepts it, or declines it with a
// reason, without signing in.
//
//   GET  /offers/{token}          the offer: what it is, what accepting means, Accept / Decline
//   POST /offers/{token}/accept   accepts it (uses the link), then says what is next
//   GET  /offers/{token}/decline  why are you declining?
//   POST /offers/{token}/decline  the reason (required), are you sure, then declines (uses the link)
//
// These pages are outside the session: they neither read nor write one, and set no cookie.
// A GET never uses the link (mail scanners open links); only an answer's POST does, once.
// The token names the offer; nothing on these pages takes an application id, so the link
// reaches nothing else. Refusals say precisely why (used, expired, no longer open,
// deactivated). The pages are not cached, not framed, not indexed and send no Referer.

func (s *Server) offerLinkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /offers/{token}", s.offerLinkPage)
	mux.HandleFunc("POST /offers/{token}/accept", s.offerLinkAccept)
	mux.HandleFunc("GET /offers/{token}/decline", s.offerLinkDeclinePage)
	mux.HandleFunc("POST /offers/{token}/decline", s.offerLinkDecline)
}

// offerLinks is the offer-link service over the server's database and applications service.
func (s *Server) offerLinks() *offerlinks.Service {
	if s.OfferLinks != nil {
		return s.OfferLinks
	}
	return &offerlinks.Service{DB: s.DB, Apps: s.Apps()}
}

// offerLinkData is the data of the offer-link pages.
type offerLinkData struct {
	Token    string // the link's token: only ever in this page's own form actions and links
	Offer    offerlinks.Offer
	Reason   string
	Answered offerlinks.Answered
	Refusal  offerlinks.Refusal
	Days     int // working days an assessment takes
}

// offerLinkHeaders are what these pages add to every page's headers: the URL holds the
// token, so no Referer ever carries it, and no search engine keeps the page.
func offerLinkHeaders(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
}

func (s *Server) offerLinkPage(w http.ResponseWriter, r *http.Request) {
	offerLinkHeaders(w)
	token := r.PathValue("token")
	o, err := s.offerLinks().Check(r.Context(), token)
	if err != nil {
		s.offerLinkRefused(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assessor/offer-link", &Page{Title: "Offer to assess " + o.Application.SettingName,
		TenantName: s.tenantName(r, o.Application.TenantID),
		Data:       offerLinkData{Token: token, Offer: o, Days: o.AssessmentWorkdays}})
}

func (s *Server) offerLinkAccept(w http.ResponseWriter, r *http.Request) {
	offerLinkHeaders(w)
	token := r.PathValue("token")
	a, err := s.offerLinks().Accept(r.Context(), token)
	if err != nil {
		s.offerLinkRefused(w, r, err)
		return
	}
	s.offerLinkDone(w, r, a)
}

func (s *Server) offerLinkDeclinePage(w http.ResponseWriter, r *http.Request) {
	offerLinkHeaders(w)
	token := r.PathValue("token")
	o, err := s.offerLinks().Check(r.Context(), token)
	if err != nil {
		s.offerLinkRefused(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assessor/offer-link-decline", &Page{Title: "Why are you declining this offer?",
		TenantName: s.tenantName(r, o.Application.TenantID), Back: "/offers/" + token,
		Data: offerLinkData{Token: token, Offer: o}})
}

// offerLinkDecline takes the reason (required) to the confirmation, and declines once
// confirmed. The link is checked first, so a used or closed offer says so, not a form error.
func (s *Server) offerLinkDecline(w http.ResponseWriter, r *http.Request) {
	offerLinkHeaders(w)
	token := r.PathValue("token")
	svc := s.offerLinks()
	o, err := svc.Check(r.Context(), token)
	if err != nil {
		s.offerLinkRefused(w, r, err)
		return
	}
	d := offerLinkData{Token: token, Offer: o}
	page := &Page{Title: "Why are you declining this offer?", TenantName: s.tenantName(r, o.Application.TenantID),
		Back: "/offers/" + token, Data: &d}
	if !readForm(w, r) {
		page.Errors = oneError("", "the form could not be read: try again")
		s.render(w, r, http.StatusBadRequest, "assessor/offer-link-decline", page)
		return
	}
	d.Reason = strings.TrimSpace(r.PostForm.Get("reason"))
	if err := offerlinks.CheckReason(d.Reason); err != nil {
		page.Errors, _ = formErrors(err)
		s.render(w, r, http.StatusUnprocessableEntity, "assessor/offer-link-decline", page)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		page.Title, page.Back = "Are you sure you want to decline this offer?", "/offers/"+token+"/decline"
		s.render(w, r, http.StatusOK, "assessor/offer-link-decline-confirm", page)
		return
	}
	a, err := svc.Decline(r.Context(), token, d.Reason)
	if errs, ok := formErrors(err); err != nil && ok && len(errs) > 0 && errs[0].Field == "reason" {
		page.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "assessor/offer-link-decline", page)
		return
	}
	if err != nil {
		s.offerLinkRefused(w, r, err)
		return
	}
	s.offerLinkDone(w, r, a)
}

// offerLinkDone says what was answered and what is next. It is the POST's own answer: there is
// no session to carry it to another page, and a reload only says the link was used.
func (s *Server) offerLinkDone(w http.ResponseWriter, r *http.Request, a offerlinks.Answered) {
	title := "Offer accepted"
	if a.Answer == postgres.OfferDeclined {
		title = "Offer declined"
	}
	s.render(w, r, http.StatusOK, "assessor/offer-link-done", &Page{Title: title,
		TenantName: s.tenantName(r, a.Application.TenantID), Data: offerLinkData{Offer: a.Offer, Answered: a}})
}

// offerLinkRefused shows why a link cannot answer its offer: a refusal of the link in its own
// words, a refusal of the journey's (not allowed, wrong stage) as it gives it, and anything
// else (a service down, an answer of unknown outcome) as every page shows it.
func (s *Server) offerLinkRefused(w http.ResponseWriter, r *http.Request, err error) {
	var ref *offerlinks.Refusal
	if errors.As(err, &ref) {
		s.render(w, r, ref.Status, "assessor/offer-link-refused", &Page{Title: ref.Title,
			TenantName: s.tenantName(r, ref.TenantID), Data: offerLinkData{Refusal: *ref}})
		return
	}
	p, _ := applications.Problem(err, r.Method == http.MethodGet)
	if p.Status >= 400 && p.Status < 500 {
		ref = &offerlinks.Refusal{Status: p.Status, Kind: "refused", Title: "You cannot answer this offer",
			Detail: upperFirst(strings.TrimSuffix(p.Detail, ".")) + "."}
		s.render(w, r, p.Status, "assessor/offer-link-refused", &Page{Title: ref.Title, Data: offerLinkData{Refusal: *ref}})
		return
	}
	s.fail(w, withoutToken(r), award.Person{}, err) // which logs it: no log line holds a live link
}

// withoutToken is the request as a log may see it: its path with the link's token replaced.
func withoutToken(r *http.Request) *http.Request {
	token := r.PathValue("token")
	if token == "" {
		return r
	}
	c := r.Clone(r.Context())
	c.URL.Path, c.URL.RawPath = strings.Replace(c.URL.Path, token, "{token}", 1), ""
	c.RequestURI = c.URL.RequestURI()
	return c
}
