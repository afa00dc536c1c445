package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"awardengine/award"
	"awardengine/services/applications/appstest"
	"awardengine/services/offerlinks"
	"awardengine/services/offerlinks/offerlinkstest"
	"awardengine/structs"
	"awardengine/workflows"
)

// The one-click offer link's pages over the fakes: nobody is signed in (Who says so), as for
// the assessor who opens the link from their email.

func newOfferLinkEnv(t *testing.T) (*testEnv, *offerlinkstest.Fixture) {
	t.Helper()
	x := offerlinkstest.NewFixture(nil)
	e := newTestServer(t, award.Person{}, x.Fakes)
	e.srv.OfferLinks = x.Service
	return e, x
}

// checkOfferLinkPage checks what every offer-link page carries besides checkPage's: no
// Referer, not indexed, and no cookie of any kind (no session is read or started).
func checkOfferLinkPage(t *testing.T, r response, status int) {
	t.Helper()
	checkPage(t, r, status)
	if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	if got := r.header.Get("X-Robots-Tag"); !strings.Contains(got, "noindex") {
		t.Errorf("X-Robots-Tag %q", got)
	}
	if c := r.header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("the page sets cookies: %v", c)
	}
	if first(r.doc, func(n *htmlNode) bool { return n.Data == "form" && attr(n, "action") == "/signout" }) != nil {
		t.Error("the page shows a signed-in header")
	}
}

func updates(x *offerlinkstest.Fixture) int { return len(x.Fakes.Temporal.Updates) }

func TestOfferLinkPageShowsTheOffer(t *testing.T) {
	e, x := newOfferLinkEnv(t)
	for range 2 { // a mail scanner opens it first: nothing is used
		r := e.get("/offers/" + x.Token)
		checkOfferLinkPage(t, r, http.StatusOK)
		if h := heading(r); h != `Hill & "Dale" <Primary>` {
			t.Fatalf("heading %q", h)
		}
		if !strings.Contains(r.body, "Hill &amp; &#34;Dale&#34; &lt;Primary&gt;") || strings.Contains(r.body, "<Primary>") {
			t.Error("the setting's name is not escaped")
		}
		mustSay(t, r, "Offer to assess", "Ada Assessor, we would like you to assess this application for Silver",
			"Reference URN 100200", "Caring Schools Award", "Accept by", "8 September 2026",
			"If you accept", "8 standards and 2 evidence files", "due 20 working days after you accept",
			"conflict of interest", "does not sign you in")
		form := first(r.doc, func(n *htmlNode) bool { return n.Data == "form" && attr(n, "method") == "post" })
		if form == nil || attr(form, "action") != "/offers/"+x.Token+"/accept" {
			t.Fatalf("accept form: %v", form)
		}
		if !hasLink(r, "/offers/"+x.Token+"/decline") {
			t.Errorf("no decline link: %v", links(r))
		}
		// The page links nowhere with the application's id: the link reaches its offer only.
		for _, l := range links(r) {
			if strings.Contains(l, x.AppID) {
				t.Errorf("the offer page links to %s", l)
			}
		}
	}
	if n := updates(x); n != 0 {
		t.Errorf("opening the page sent %d updates", n)
	}
	if l, _ := x.Store.Link(x.Token); l.UsedAt != nil {
		t.Error("opening the page used the link")
	}
}

func TestOfferLinkAcceptsOnce(t *testing.T) {
	e, x := newOfferLinkEnv(t)
	r := e.postForm("/offers/"+x.Token+"/accept", nil)
	checkOfferLinkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Offer accepted" {
		t.Fatalf("heading %q: %s", h, mainText(r))
	}
	mustSay(t, r, `Hill & "Dale" <Primary>`, "Assessment due by 29 September 2026", "We have told the applicant",
		"cannot be used again")
	if !hasLink(r, "/assess/"+x.AppID) || !strings.Contains(r.body, "Sign in to start the assessment") {
		t.Errorf("no way on to the assessment: %v", links(r))
	}
	sent := x.Fakes.Temporal.Sent(workflows.UpdateAcceptOffer)
	if len(sent) != 1 || sent[0].Arg.(workflows.OfferReply).Actor.ID != x.Assessor.ID {
		t.Fatalf("accept updates %+v", sent)
	}

	// Used: the same POST (a reload), a decline, or the page again are refused, saying how.
	for _, again := range []response{
		e.postForm("/offers/"+x.Token+"/accept", nil),
		e.postForm("/offers/"+x.Token+"/decline", url.Values{"reason": {"x"}, "confirm": {"yes"}}),
		e.get("/offers/" + x.Token),
		e.get("/offers/" + x.Token + "/decline"),
	} {
		checkOfferLinkPage(t, again, http.StatusGone)
		if h := heading(again); h != "This link has already been used" {
			t.Errorf("heading %q", h)
		}
		mustSay(t, again, "You accepted this offer on", "Each offer link works once")
		if !hasLink(again, "/assess/"+x.AppID) {
			t.Errorf("no way on to the assessment: %v", links(again))
		}
	}
	if n := updates(x); n != 1 {
		t.Errorf("%d updates, want the one accept", n)
	}
	// Still nobody is signed in: the link started no session.
	checkSignInFirst(t, e.get("/assess/"+x.AppID), "")
	checkSignInFirst(t, e.get("/applications"), "")
}

func TestOfferLinkDeclinesWithAReasonOnceConfirmed(t *testing.T) {
	e, x := newOfferLinkEnv(t)
	r := e.get("/offers/" + x.Token + "/decline")
	checkOfferLinkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Why are you declining this offer?" {
		t.Fatalf("heading %q", h)
	}
	if first(r.doc, func(n *htmlNode) bool { return n.Data == "textarea" && attr(n, "id") == "reason" }) == nil {
		t.Fatal("no reason field")
	}

	r = e.postForm("/offers/"+x.Token+"/decline", url.Values{"reason": {"  "}})
	checkOfferLinkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "reason", "Enter why you are declining the offer")
	r = e.postForm("/offers/"+x.Token+"/decline", url.Values{"reason": {strings.Repeat("x", offerlinks.MaxReasonLength+1)}})
	checkErrorSummary(t, r, "reason", "2,000 characters or fewer")

	r = e.postForm("/offers/"+x.Token+"/decline", url.Values{"reason": {"I was a governor <there> until July."}})
	checkOfferLinkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Are you sure you want to decline this offer?" {
		t.Fatalf("heading %q", h)
	}
	mustSay(t, r, "I was a governor <there> until July.", "You cannot undo this")
	if n := updates(x); n != 0 {
		t.Fatalf("%d updates before confirming", n)
	}
	if l, _ := x.Store.Link(x.Token); l.UsedAt != nil {
		t.Fatal("the link was used before confirming")
	}

	r = e.postForm("/offers/"+x.Token+"/decline", url.Values{"reason": {"I was a governor <there> until July."}, "confirm": {"yes"}})
	checkOfferLinkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Offer declined" {
		t.Fatalf("heading %q: %s", h, mainText(r))
	}
	mustSay(t, r, "We will offer the assessment to another assessor", "cannot be used again")
	sent := x.Fakes.Temporal.Sent(workflows.UpdateDeclineOffer)
	if len(sent) != 1 || sent[0].Arg.(workflows.OfferReply).Reason != "I was a governor <there> until July." {
		t.Fatalf("decline updates %+v", sent)
	}
	r = e.postForm("/offers/"+x.Token+"/accept", nil)
	checkOfferLinkPage(t, r, http.StatusGone)
	mustSay(t, r, "You declined this offer on")
}

func TestOfferLinkRefusalsSayWhy(t *testing.T) {
	for _, c := range []struct {
		name    string
		change  func(*offerlinkstest.Fixture) string // returns the token to use
		status  int
		heading string
		says    string
	}{
		{"unknown", func(x *offerlinkstest.Fixture) string { return strings.Repeat("A", 43) }, http.StatusNotFound,
			"This link is not valid", "not one we sent"},
		{"malformed", func(x *offerlinkstest.Fixture) string { return "not-a-token" }, http.StatusNotFound,
			"This link is not valid", "not one we sent"},
		{"expired", func(x *offerlinkstest.Fixture) string { x.Now = x.ExpiresAt.Add(1); return x.Token }, http.StatusGone,
			"This offer has expired", "had to be answered by 8 September 2026"},
		{"reassigned", func(x *offerlinkstest.Fixture) string { x.Reoffer("released"); return x.Token }, http.StatusGone,
			"This offer is no longer open", "taken this offer back"},
		{"withdrawn", func(x *offerlinkstest.Fixture) string { x.Withdraw(); return x.Token }, http.StatusGone,
			"This offer is no longer open", "withdrawn"},
		{"answered in the inbox", func(x *offerlinkstest.Fixture) string { x.Reoffer("accepted"); return x.Token }, http.StatusGone,
			"You have already answered this offer", "You accepted this offer"},
		{"deactivated", func(x *offerlinkstest.Fixture) string {
			p := x.Assessor
			p.Active = false
			x.Fakes.Store.AddPerson(p)
			return x.Token
		}, http.StatusForbidden, "Your account is deactivated", "deactivated your account"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, x := newOfferLinkEnv(t)
			token := c.change(x)
			for _, r := range []response{
				e.get("/offers/" + token),
				e.get("/offers/" + token + "/decline"),
				e.postForm("/offers/"+token+"/accept", nil),
				e.postForm("/offers/"+token+"/decline", url.Values{"reason": {"busy"}, "confirm": {"yes"}}),
			} {
				checkOfferLinkPage(t, r, c.status)
				if h := heading(r); h != c.heading {
					t.Errorf("heading %q, want %q", h, c.heading)
				}
				mustSay(t, r, c.says)
				if strings.Contains(mainText(r), "Accept the offer") {
					t.Error("a refused link shows the offer's buttons")
				}
			}
			if n := updates(x); n != 0 {
				t.Errorf("%d updates sent", n)
			}
		})
	}
}

// The journey's own refusal (the assessor supports the setting) is shown in its words, and
// leaves the link unused.
func TestOfferLinkShowsTheJourneysRefusal(t *testing.T) {
	e, x := newOfferLinkEnv(t)
	x.Fakes.Temporal.Refuse(workflows.UpdateAcceptOffer, appstest.Refusal(workflows.ErrForbidden,
		"you cannot accept this offer: you support this setting, and nobody assesses or moderates an application they applied for or support; an admin will reassign it"))
	r := e.postForm("/offers/"+x.Token+"/accept", nil)
	checkOfferLinkPage(t, r, http.StatusForbidden)
	if h := heading(r); h != "You cannot answer this offer" {
		t.Fatalf("heading %q", h)
	}
	mustSay(t, r, "You cannot accept this offer: you support this setting")
	if l, _ := x.Store.Link(x.Token); l.UsedAt != nil {
		t.Error("a refused answer used the link")
	}
}

func TestOfferLinkWhenTheServiceIsDown(t *testing.T) {
	e, x := newOfferLinkEnv(t)
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	x.Store.Err = errors.New("connection refused")
	defer func() {
		// The failures are logged, and no log line holds the link's token.
		if !strings.Contains(logs.String(), "connection refused") || strings.Contains(logs.String(), x.Token) {
			t.Errorf("logs:\n%s", logs.String())
		}
	}()
	r := e.get("/offers/" + x.Token)
	checkPage(t, r, http.StatusServiceUnavailable)
	mustSay(t, r, "nothing was changed")
	r = e.postForm("/offers/"+x.Token+"/accept", nil)
	checkPage(t, r, http.StatusServiceUnavailable)
	mustSay(t, r, "nothing was changed")
}

// Nothing under /offers/ but the four routes: no other page, and no other method.
func TestOfferLinkReachesNothingElse(t *testing.T) {
	e, x := newOfferLinkEnv(t)
	for _, path := range []string{"/offers/" + x.Token + "/" + x.AppID, "/offers/" + x.Token + "/evidence", "/offers/" + x.Token + "/accept",
		"/offers/", "/offers/" + x.Token + "/accept/x"} {
		r := e.get(path)
		if r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	if r := e.postForm("/offers/"+x.Token, nil); r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /offers/{token}: %d", r.status)
	}
	if n := updates(x); n != 0 {
		t.Errorf("%d updates sent", n)
	}
}

// Every offer-link template renders with its zero data, signed out.
func TestOfferLinkTemplatesRenderZeroData(t *testing.T) {
	for _, name := range []string{"assessor/offer-link", "assessor/offer-link-decline", "assessor/offer-link-decline-confirm",
		"assessor/offer-link-done", "assessor/offer-link-refused"} {
		for _, p := range []*Page{{Title: "A page", Data: offerLinkData{}},
			{Title: "A page", Data: &offerLinkData{}, Errors: []structs.FieldError{{Field: "reason", Message: "Wrong"}}}} {
			p.Script = supportedScript
			var buf bytes.Buffer
			if err := pages()[name].ExecuteTemplate(&buf, "layout", p); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}
