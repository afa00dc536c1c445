package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"awardengine/storage/postgres"
)

// TestBrowserJourney: an applicant on a phone-sized screen (375×667, touch, JavaScript on)
// signs in by the emailed link, registers a setting, opens the toolkit, uploads two real
// files watching each progress bar reach 100%, maps them to the standards, checks the
// answers, submits and sees the confirmation. axe-core audits every page; each page's
// screenshot is kept.
func TestBrowserJourney(t *testing.T) {
	b := newTab(t, true, phone, 2*time.Minute)
	applicantJourney(t, b)
}

// TestBrowserJourneyWithoutJavaScript: the same journey with the browser's JavaScript off
// (desktop size): every form posts and every page works without it; each file is posted
// straight to object storage by the plain form, which sends the browser back to choose its
// standards.
func TestBrowserJourneyWithoutJavaScript(t *testing.T) {
	b := newTab(t, false, desktop, 2*time.Minute)
	applicantJourney(t, b)
}

// browserFiles are the two real files the journeys upload.
var browserFiles = []string{"training-record.pdf", "display-board.png"}

func applicantJourney(t *testing.T, b *tab) {
	start := time.Now()
	p := newPerson(t, postgres.RoleApplicant)

	// Sign in by the emailed link, starting from the page a person bookmarks.
	b.signIn(p, "/applications", "/applications", "Your applications", 1)
	if b.js != b.has("body.govuk-frontend-supported") {
		t.Errorf("JavaScript %v, but GOV.UK Frontend's script ran: %v", b.js, !b.js)
	}

	// Register a setting.
	b.click("a[href='/applications/new']")
	b.landed("register: the award", `/applications/new`, "Which award are you applying for?")
	b.press("input[name=track][value=caring_schools]")
	b.click("form[action='/applications/new'] button[type=submit]")
	b.landed("register: the setting", `/applications/new\?.*`, "Register a setting")
	b.press("input[name=variant][value=primary]")
	name := fmt.Sprintf("Browser Lane Primary %d", time.Now().UnixNano()%1e6)
	b.type_("#setting_name", name)
	b.type_("#setting_reference", fmt.Sprintf("URN%d", time.Now().UnixNano()%1e9))
	b.click("form[method=post][action='/applications/new'] button[type=submit]")
	for i := 0; i < 20 && b.text("h1") == "Your application is being set up"; i++ {
		time.Sleep(250 * time.Millisecond)
		b.click("main a[href^='/applications/app_']")
	}
	b.landed("application", `/applications/app_[A-Za-z0-9]+`, name)
	appPath := b.path()
	if !strings.Contains(b.text("main"), "You need evidence for") {
		t.Errorf("the task list does not say what is missing: %s", b.text("main"))
	}

	// The toolkit (its opening is recorded), then back.
	b.click("a[href='" + appPath + "/toolkit']")
	b.landed("toolkit", appPath+`/toolkit`, "Toolkit")
	b.click("main a[href='" + appPath + "']")
	b.landed("application after the toolkit", appPath, name)

	// Evidence: two real files, straight to storage.
	b.click("a[href='" + appPath + "/evidence']")
	b.landed("evidence", appPath+`/evidence`, "Evidence")
	if b.js {
		b.uploadWithProgress(browserFiles)
	} else {
		for _, f := range browserFiles {
			b.uploadWithoutJavaScript(appPath, f)
		}
	}

	// Map: each file to every other standard (between them, all of them), on its own page.
	for i, f := range browserFiles {
		b.click(`//div[contains(@class,"govuk-summary-card")][.//h3[normalize-space()="` + f + `"]]//a[contains(@href,"/standards")]`)
		b.landed("standards of "+f, appPath+`/evidence/[A-Za-z0-9_]+/standards`, "Which standards is "+f+" evidence for?")
		n := b.setCheckboxes("input[name=standards]", func(j int) bool { return j%2 == i })
		if n < 2 {
			t.Fatalf("%d standards to choose from", n)
		}
		b.click("main form button[type=submit]")
		b.landed("evidence after mapping "+f, appPath+`/evidence(\?.*)?`, "Evidence")
	}
	cards := b.text("#evidence-list")
	for _, f := range browserFiles {
		if !strings.Contains(cards, f) {
			t.Errorf("the evidence list does not show %s: %s", f, cards)
		}
	}
	if strings.Count(cards, "Uploaded") < len(browserFiles) || strings.Contains(cards, "not finished") {
		t.Errorf("the files are not all uploaded: %s", cards)
	}

	// Check your answers, then submit.
	b.click("main a[href='" + appPath + "']")
	b.landed("application ready to submit", appPath, name)
	b.click("a[href^='" + appPath + "/check']")
	b.landed("check your answers", appPath+`/check(\?.*)?`, "Check your application before you submit it")
	b.press("input[name=target_level][value=bronze]")
	b.click("form[action='" + appPath + "/submit'] button[type=submit]")
	b.landed("submitted", appPath+`/submitted`, "Application submitted")
	appID := strings.TrimPrefix(appPath, "/applications/")
	if panel := b.text(".govuk-panel"); !strings.Contains(panel, appID) {
		t.Errorf("the confirmation panel does not give the reference %s: %s", appID, panel)
	}
	b.viewportShot("submitted", "h1")
	if !strings.Contains(b.text("main"), "What happens next") {
		t.Errorf("the confirmation does not say what happens next: %s", b.text("main"))
	}

	// The application's progress, and the list of applications.
	b.click("main a[href='" + appPath + "']")
	b.landed("progress", appPath, name)
	if main := b.text("main"); !strings.Contains(main, "Progress") {
		t.Errorf("no timeline after submission: %s", main)
	}
	b.open("/applications")
	b.landed("your applications after submitting", "/applications", "Your applications")
	if main := b.text("main"); !strings.Contains(main, name) {
		t.Errorf("the application is not listed: %s", main)
	}

	// What the journey did, as the API sees it.
	var app application
	as(t, shared, "demo-northshire-admin").must(200, "GET", "/v1/applications/"+appID, nil).json(t, &app)
	if app.SubmittedAt == nil || (app.Stage != "awaiting_allocation" && app.Stage != "offered") ||
		app.TargetLevel != "bronze" || len(app.Evidence) != len(browserFiles) {
		t.Errorf("after the journey: stage %s, submitted %v, target %s, %d items", app.Stage, app.SubmittedAt, app.TargetLevel, len(app.Evidence))
	}
	for _, e := range app.Evidence {
		if e.State != "confirmed" || !e.Immutable {
			t.Errorf("evidence %s: %s, immutable %v", e.Filename, e.State, e.Immutable)
		}
	}
	b.assertNoConsoleErrors()
	t.Logf("journey (JavaScript %v): %d pages, each audited by axe, in %v", b.js, len(b.audited), time.Since(start).Round(time.Millisecond))
}

// TestBrowserSupporterAndWithdrawal: a supporter on a phone follows the application they
// support; its applicant withdraws it through the pages (reason, are you sure, done), and the
// supporter sees it withdrawn. axe audits every page.
func TestBrowserSupporterAndWithdrawal(t *testing.T) {
	applicant, supporter := newPerson(t, postgres.RoleApplicant), newPerson(t, postgres.RoleSupporter)
	resetIPLimit(t)
	api := signInByLink(t, shared.APIURL, applicant, 1)
	name := fmt.Sprintf("Supported Primary %d", time.Now().UnixNano()%1e6)
	r := api.postJSON("/v1/applications", map[string]any{"setting_reference": fmt.Sprintf("URN%d", time.Now().UnixNano()%1e9),
		"setting_name": name, "track": "caring_schools", "variant": "primary", "supporter_email": supporter.Email})
	if r.Status != 201 {
		t.Fatalf("registering: %d %s", r.Status, r.Body)
	}
	var app application
	r.json(t, &app)
	appPath := "/applications/" + app.ID
	eventually(t, "the journey to start", func() bool { return api.get("/v1/applications/"+app.ID).Status == 200 })

	// The supporter follows it from their list.
	sb := newTab(t, true, phone, time.Minute)
	sb.label = "supporter"
	sb.signIn(supporter, "/supporting", "/supporting", "Settings you support", 1)
	if list := sb.text("main"); !strings.Contains(list, name) {
		t.Fatalf("the supporter's list does not show %s: %s", name, list)
	}
	sb.click("a[href='/supporting/" + app.ID + "']")
	sb.landed("supported application", "/supporting/"+app.ID, name)
	sb.click("main a[href='" + appPath + "']")
	sb.landed("application, read-only", appPath, name)
	if sb.has("a[href='"+appPath+"/withdraw']") || sb.has("a[href='"+appPath+"/evidence']") {
		t.Error("the supporter is offered links that change the application")
	}

	// The applicant, sent by an emailed link to the application, withdraws it.
	ab := newTab(t, true, desktop, time.Minute)
	ab.label = "applicant"
	ab.signIn(applicant, appPath, appPath, name, 2)
	ab.click("a[href='" + appPath + "/withdraw']")
	ab.landed("withdraw", appPath+"/withdraw", "Why are you withdrawing this application?")
	ab.click("form[action='" + appPath + "/withdraw'] button[type=submit]")
	ab.landed("withdraw without a reason", appPath+"/withdraw", "Why are you withdrawing this application?")
	if !ab.has(".govuk-error-summary") {
		t.Error("no error summary for a missing reason")
	}
	ab.type_("#reason", "The school is merging with another this term.")
	ab.click("form[action='" + appPath + "/withdraw'] button[type=submit]")
	ab.landed("are you sure", appPath+"/withdraw", "Are you sure you want to withdraw this application?")
	ab.click("form[action='" + appPath + "/withdraw'] button[type=submit]")
	ab.landed("withdrawn", appPath+"/withdrawn", "Application withdrawn")
	ab.assertNoConsoleErrors()

	// The supporter sees it withdrawn.
	sb.open("/supporting/" + app.ID)
	sb.landed("supported application, withdrawn", "/supporting/"+app.ID, name)
	if main := sb.text("main"); !strings.Contains(main, "Withdrawn") {
		t.Errorf("the supporter does not see the withdrawal: %s", main)
	}
	sb.assertNoConsoleErrors()
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
	for _, p := range pages[:2] {
		if r := ob.get(p); r.Status != 200 {
			t.Errorf("owner: GET %s: %d", p, r.Status)
		}
	}
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
	for _, path := range []string{"/applications", "/applications/new"} {
		r := b.get(path)
		if r.Status != 200 {
			t.Errorf("GET %s: %d", path, r.Status)
		}
		checkCSP(t, path, r.Header.Get("Content-Security-Policy"), string(r.Body))
	}

	// The browser enforces it: the page's own scripts run, an injected inline one does not.
	tb := newTab(t, true, desktop, time.Minute)
	tb.open("/signin")
	tb.run("injecting an inline script", chromedp.Evaluate[chromedp.Void](`window.injected = false;
		const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.append(s)`))
	if ran := get(tb, "reading window.injected", chromedp.Evaluate[bool](`window.injected`)); ran {
		t.Error("an injected inline script ran")
	}
	if !tb.has("body.govuk-frontend-supported") {
		t.Error("the page's own scripts did not run")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		tb.mu.Lock()
		reported := strings.Contains(strings.Join(tb.consoleErrs, "\n"), "Content Security Policy")
		tb.consoleErrs = nil
		tb.mu.Unlock()
		if reported {
			break
		}
		if time.Now().After(deadline) {
			t.Error("the browser reported no CSP violation for the injected script")
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
}
