package web

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// zeroData is each page template's data, zero-valued: TestEveryTemplateParses renders every
// page with it, and fails a page without an entry. A new page adds its data type here, or in
// an init of its own test file (admin, assessor, moderator pages).
var zeroData = map[string]any{
	"applicant/application":        applicationData{},
	"applicant/applications":       applicationsData{},
	"applicant/check":              checkData{},
	"applicant/evidence":           evidenceData{},
	"applicant/evidence-remove":    removeData{},
	"applicant/evidence-standards": standardsData{},
	"applicant/reapply":            reapplyData{},
	"applicant/register":           registerData{},
	"applicant/starting":           map[string]string{},
	"applicant/submitted":          appContext{},
	"applicant/toolkit":            toolkitData{},
	"applicant/withdraw":           withdrawData{},
	"applicant/withdraw-confirm":   withdrawData{},
	"applicant/withdrawn":          appContext{},
	"dev/mailbox":                  mailboxData{},
	"supporter/application":        supportedData{},
	"supporter/supporting":         supportingData{},
	"shared/accessibility":         nil,
	"shared/not-found":             nil,
	"shared/problem":               problemPage{},
	"shared/forbidden":             problemPage{},
	"signin/message":               message{},
	"signin/request":               signinData{},
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
				if !known {
					// Every page registers its data type (zeroData), so every page is rendered.
					t.Fatalf("page %s has no zero data in zeroData: register its data type", name)
				}
				if err != nil {
					t.Fatalf("rendering %s: %v", name, err)
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

// TestEveryPageCarriesTheHeaders: each page of the service, for someone who may see it,
// answers with the strict CSP (default-src 'self', exactly the one inline script's hash),
// Cache-Control no-store and one h1; and signed out, each page of a signed-in person sends
// the browser to sign in, remembering the page.
func TestEveryPageCarriesTheHeaders(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio,
		Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1", "C1", "D1")}})
	f.AddApplication(postgres.Application{ID: "app-elm", TenantID: "north", ApplicantID: ann.ID, SupporterID: sue.ID,
		SettingReference: "FH-7", SettingName: "The Elm household", Track: "learning_homes", Variant: "foster_carer"},
		workflows.Status{Stage: workflows.StageAwarded, SubmittedAt: appstest.Ptr(day1),
			Assessment: &workflows.Assessment{DecidedAt: appstest.Ptr(day3), Decision: award.Gold, ExpiresAt: appstest.Ptr(exp), Certificate: "c.pdf"}})
	f.AddApplication(postgres.Application{ID: "app-gone", TenantID: "north", ApplicantID: ann.ID, SettingReference: "URN-8",
		SettingName: "Gone School", Track: "caring_schools", Variant: "primary"}, workflows.Status{Stage: workflows.StageWithdrawn})
	pages := []struct {
		me   award.Person
		path string
	}{
		{award.Person{}, "/signin"},
		{award.Person{}, "/accessibility"},
		{award.Person{}, "/no-such-page"},
		{ann, "/applications"},
		{ann, "/applications/new"},
		{ann, "/applications/new?track=learning_homes"},
		{ann, "/applications/app-oak"},
		{ann, "/applications/app-oak?level=gold"},
		{ann, "/applications/app-oak/toolkit"},
		{ann, "/applications/app-oak/check?level=bronze"},
		{ann, "/applications/app-oak/withdraw"},
		{ann, "/applications/app-oak/evidence"},
		{ann, "/applications/app-oak/evidence/ev-1/standards"},
		{ann, "/applications/app-oak/evidence/ev-1/remove"},
		{sue, "/applications/app-oak/evidence"},
		{ann, "/applications/app-elm"},
		{ann, "/applications/app-elm/reapply"},
		{ann, "/applications/app-gone"},
		{ann, "/applications/app-gone/withdrawn"},
		{sue, "/applications/app-elm"},
		{sue, "/supporting"},
		{sue, "/supporting/app-elm"},
		{bob, "/applications/app-oak"},
	}
	for _, p := range pages {
		t.Run(p.me.Name+" "+p.path, func(t *testing.T) {
			e := newTestServer(t, p.me, f)
			r := e.get(p.path)
			if r.status == http.StatusSeeOther {
				t.Fatalf("redirected to %q", r.header.Get("Location"))
			}
			checkPage(t, r, r.status)
			if r.status >= 500 {
				t.Fatalf("status %d: %s", r.status, firstLines(mainText(r), 30))
			}
			if p.me.ID == "" || p.path == "/no-such-page" {
				return
			}
			e.me = award.Person{}
			checkSignInFirst(t, e.get(p.path), p.path)
		})
	}
}
