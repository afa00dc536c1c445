package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"awardengine/award"
)

// The sign-in pages over a sign-in service without a database: what they answer before any
// lookup (the form, refusals of what cannot be an address or a council, links that cannot be
// tokens). A request that reaches the database (a well-formed address, a plausible link) is
// the integration tests' (integration/signin_test.go), on the real stack.

// TestSignInPage: the form asks for the address and the council, remembers the council asked
// for, and posts to /signin.
func TestSignInPage(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	r := e.get("/signin?tenant=northshire")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Sign in" {
		t.Fatalf("h1 %q", heading(r))
	}
	form := first(r.doc, func(n *htmlNode) bool { return n.Data == "form" && attr(n, "action") == "/signin" })
	if form == nil || attr(form, "method") != "post" {
		t.Fatal("no form posting to /signin")
	}
	email := first(form, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "email" })
	tenant := first(form, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "tenant" })
	if email == nil || attr(email, "type") != "email" || attr(email, "autocomplete") != "email" {
		t.Fatal("no email input")
	}
	if tenant == nil || attr(tenant, "value") != "northshire" {
		t.Fatal("the council asked for is not filled in")
	}
	if first(r.doc, func(n *htmlNode) bool { return n.Data == "label" && attr(n, "for") == "email" }) == nil {
		t.Error("the email input has no label")
	}
	if errorSummary(r) != nil {
		t.Error("an error summary before anything was sent")
	}
	if hasLink(r, "/dev/mailbox") {
		t.Error("a development mailbox link on a service without one")
	}
}

// TestSignInRefusesWhatIsNotAnAddress: each refusal shows the error summary linking the field
// it is about, the field's own message, and keeps what was typed.
func TestSignInRefusesWhatIsNotAnAddress(t *testing.T) {
	cases := []struct {
		name, email, tenant, field, says string
	}{
		{"no address", "", "northshire", "email", "Is required"},
		{"not an address", "ann.example.org", "northshire", "email", "Is not an email address"},
		{"an address with a space", "ann @example.org", "northshire", "email", "Is not an email address"},
		{"a control character", "ann\x01@example.org", "northshire", "email", "control characters"},
		{"no council", "ann@example.org", "", "tenant", "Is required"},
		{"not a council", "ann@example.org", strings.Repeat("x", 65), "tenant", "Is not a tenant id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTestServer(t, award.Person{}, nil)
			r := e.postForm("/signin", url.Values{"email": {c.email}, "tenant": {c.tenant}})
			checkPage(t, r, http.StatusUnprocessableEntity)
			checkErrorSummary(t, r, c.field, c.says)
			msg := first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == c.field+"-error" })
			if msg == nil || !strings.Contains(text(msg), c.says) {
				t.Errorf("no message beside the %s field: %q", c.field, text(msg))
			}
			input := first(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == c.field })
			if !strings.Contains(attr(input, "aria-describedby"), c.field+"-error") || !hasClass("govuk-input--error")(input) {
				t.Errorf("the %s input is not marked as in error", c.field)
			}
			if email := first(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "email" }); c.email != "" &&
				!strings.ContainsRune(c.email, '\x01') && attr(email, "value") != c.email {
				t.Errorf("the address typed is lost: %q", attr(email, "value"))
			}
		})
	}
}

// TestSignInFormUnreadable: a form that cannot be read says so.
func TestSignInFormUnreadable(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	r := e.postForm("/signin", url.Values{"email": {strings.Repeat("a", 70<<10)}})
	checkPage(t, r, http.StatusBadRequest)
	mustSay(t, r, "could not be read")
}

// TestContinueWithABadLink: a link whose token cannot be one is refused without signing in,
// with a way to ask for a new link (GET and POST alike).
func TestContinueWithABadLink(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	for _, r := range []response{
		e.get("/signin/continue?token=nope"),
		e.get("/signin/continue"),
		e.postForm("/signin/continue", url.Values{"token": {"nope"}}),
	} {
		if r.status < 400 || r.status >= 500 {
			t.Fatalf("want a refusal, got %d", r.status)
		}
		checkPage(t, r, r.status)
		if r.header.Get("Location") != "" {
			t.Fatalf("redirected to %q", r.header.Get("Location"))
		}
		if first(r.doc, func(n *htmlNode) bool { return n.Data == "form" && attr(n, "action") == "/signin" }) == nil {
			t.Error("no way to ask for a new link")
		}
	}
}

// TestSignedInPageGoesToThePageAskedFor: /signin/done ends sign-in on the page first asked for
// (the award_next cookie a signed-out request set), once, and never on another site.
func TestSignedInPageGoesToThePageAskedFor(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	r := e.get("/applications?from=email")
	checkSignInFirst(t, r, "/applications?from=email")
	e.me = ann
	if r := e.get("/signin/done"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications?from=email" {
		t.Fatalf("want the page asked for, got %d %q", r.status, r.header.Get("Location"))
	}
	if r := e.get("/signin/done"); r.header.Get("Location") != "/applications" {
		t.Fatalf("the page asked for is remembered twice: %q", r.header.Get("Location"))
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "javascript:alert(1)"} {
		e.jar.SetCookies(base, []*http.Cookie{{Name: nextCookie, Value: next, Path: "/"}})
		if r := e.get("/signin/done"); r.header.Get("Location") != "/applications" {
			t.Errorf("next %q: went to %q", next, r.header.Get("Location"))
		}
	}
	e.me = award.Person{}
	r = e.get("/signin/done")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "You are not signed in" {
		t.Fatalf("signed out: %q", heading(r))
	}
}

// TestSignedOutIsSentToSignIn: every page of a signed-in person sends a signed-out request to
// sign in; a GET remembers where it was going, a POST does not (it could not be replayed).
func TestSignedOutIsSentToSignIn(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	checkSignInFirst(t, e.get("/applications"), "/applications")
	checkSignInFirst(t, e.get("/applications?x=1&y=2"), "/applications?x=1&y=2")
	r := e.postForm("/signout/everywhere", nil)
	checkSignInFirst(t, r, "")
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == nextCookie {
			t.Fatalf("a POST remembered as the page to go back to: %+v", c)
		}
	}
}
