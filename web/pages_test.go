package web

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"awardengine/award"
	"awardengine/structs"
)

// zeroData is each page template's data, zero-valued: TestEveryTemplateParses renders every
// page with it. A new page adds its data type here.
var zeroData = map[string]any{
	"applicant/application":      applicationData{},
	"applicant/applications":     applicationsData{},
	"applicant/check":            checkData{},
	"applicant/reapply":          reapplyData{},
	"applicant/register":         registerData{},
	"applicant/starting":         map[string]string{},
	"applicant/submitted":        appContext{},
	"applicant/toolkit":          toolkitData{},
	"applicant/withdraw":         withdrawData{},
	"applicant/withdraw-confirm": withdrawData{},
	"applicant/withdrawn":        appContext{},
	"dev/mailbox":                mailboxData{},
	"supporter/application":      supportedData{},
	"supporter/supporting":       supportingData{},
	"shared/accessibility":       nil,
	"shared/not-found":           nil,
	"shared/problem":             problemPage{},
	"signin/message":             message{},
	"signin/request":             signinData{},
}

// TestEveryTemplateParses: every page template parses (they are parsed on first use, so a
// broken one would otherwise fail only when someone opens it) and renders in the layout with
// its data zero-valued, signed out and signed in, with and without errors.
func TestEveryTemplateParses(t *testing.T) {
	var names []string
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Fatalf("the templates do not parse: %v", v)
			}
		}()
		for name := range pages() {
			names = append(names, name)
		}
	}()
	sort.Strings(names)
	if len(names) < len(zeroData) {
		t.Fatalf("only %d pages parsed: %v", len(names), names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, known := zeroData[name]
			for _, p := range []*Page{
				{Title: "A page", Data: data},
				{Title: "A page", Data: data, Me: ann, SignedIn: true, Nav: navFor(ann, "/applications"), Notice: "Done",
					Back: "/applications", Errors: []structs.FieldError{{Field: "email", Message: "Wrong"}, {Message: "Also wrong"}}},
			} {
				p.Script = supportedScript
				var buf bytes.Buffer
				err := pages()[name].ExecuteTemplate(&buf, "layout", p)
				switch {
				case err != nil && known:
					t.Fatalf("rendering %s: %v", name, err)
				case err != nil:
					// A page this test does not know the data of yet renders without data as
					// far as it can; add its data type to zeroData to check it all.
					t.Logf("page %s has no zero data in zeroData (pages_test.go); without data: %v", name, err)
					return
				}
				if !strings.Contains(buf.String(), "<main") || !strings.Contains(buf.String(), "</html>") {
					t.Fatalf("%s is not a whole page", name)
				}
			}
		})
	}
}

// TestRenderHeaders: every rendered page carries the security headers, and a signed-in page
// shows the service navigation and a sign-out form that needs no JavaScript.
func TestRenderHeaders(t *testing.T) {
	e := newTestServer(t, ann, nil)
	r := e.get("/applications")
	checkPage(t, r, http.StatusOK)
	nav := first(r.doc, hasClass("govuk-service-navigation__list"))
	if nav == nil || !strings.Contains(text(nav), "Your applications") || !strings.Contains(text(nav), "Sign out") {
		t.Fatalf("navigation: %q", text(nav))
	}
	if first(r.doc, func(n *html.Node) bool {
		return n.Data == "form" && attr(n, "action") == "/signout" && attr(n, "method") == "post"
	}) == nil {
		t.Error("no sign-out form posting to /signout")
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "form-action 'self' "+e.srv.StorageOrigin) {
		t.Errorf("uploads' origin not allowed as a form action: %q", r.header.Get("Content-Security-Policy"))
	}
}

// TestUnknownPathIsNotFound: a path no page has is the one "Page not found" page, signed in or
// not.
func TestUnknownPathIsNotFound(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	checkNotFound(t, e.get("/no-such-page"))
	e.me = ann
	checkNotFound(t, e.get("/applications/app-1/no-such-page"))
}

// TestAccessibilityStatement is public and says what the service promises.
func TestAccessibilityStatement(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	r := e.get("/accessibility")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Accessibility statement" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "use every page without JavaScript", "2.2 AA")
}

// TestHomeSendsEveryoneOn: / goes to the person's applications, or to sign in.
func TestHomeSendsEveryoneOn(t *testing.T) {
	e := newTestServer(t, ann, nil)
	if r := e.get("/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications" {
		t.Fatalf("signed in: %d %q", r.status, r.header.Get("Location"))
	}
	e.me = award.Person{}
	if r := e.get("/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin" {
		t.Fatalf("signed out: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestAssetsAreServed: the compiled stylesheet is served, cached for a year when versioned.
func TestAssetsAreServed(t *testing.T) {
	e := newTestServer(t, award.Person{}, nil)
	r := e.get("/assets/app.css?v=" + assetVersion)
	if r.status != http.StatusOK || !strings.Contains(r.header.Get("Cache-Control"), "immutable") || len(r.body) < 1000 {
		t.Fatalf("app.css: %d %q %d bytes", r.status, r.header.Get("Cache-Control"), len(r.body))
	}
	if r := e.get("/assets/app.css"); !strings.Contains(r.header.Get("Cache-Control"), "max-age=300") {
		t.Fatalf("unversioned: %q", r.header.Get("Cache-Control"))
	}
}
