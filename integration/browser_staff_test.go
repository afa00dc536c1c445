package integration

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// The staff pages in a real browser (issue 13): an assessor answers an offer from the email's
// one-click link, signs in, scores with a draft that survives a reload and submits; the
// moderator confirms; an admin finds an application no assessor could take on the stuck list
// and allocates it by hand, and downloads reports as CSV. axe audits every page reached, and
// the pages keep each role to its own: an assessor is refused the admin pages, another
// council's application is not found, and the one-click link opens its one offer and nothing
// else.

// newStaffTeam is a council of its own (newAwardTeam) whose one active assessor is fresh, so
// their first assessments are always moderated; "other" is off the roster.
func newStaffTeam(t *testing.T, tenant string) *awardTeam {
	t.Helper()
	tm := newAwardTeam(t, tenant, 3)
	tm.adm.must(200, "PUT", "/v1/roster/"+tm.ids["other"], map[string]any{
		"tracks": []string{"caring_schools"}, "specialisms": []string{}, "capacity": 3, "active": false})
	return tm
}

// member is a person of the team, as the browser signs them in.
func (tm *awardTeam) member(key string) postgres.Person {
	return postgres.Person{ID: tm.ids[key], TenantID: tm.tenant, Email: key + "@" + tm.tenant + ".example"}
}

// oneClickPattern is the one-click link of an assessor_offer email.
var oneClickPattern = regexp.MustCompile(`https?://[^\s<>"]+/offers/[A-Za-z0-9_-]+`)

// oneClickLink waits for the assessor_offer email to addr about the setting and returns its
// one-click link ("" if it has none).
func oneClickLink(t *testing.T, addr, setting string) string {
	t.Helper()
	var link string
	eventually(t, "the offer email about "+setting+" to "+addr, func() bool {
		for _, m := range mailTo(shared, addr) {
			if strings.Contains(m.CustomArgs["dedupe_key"], "/assessor_offer/") && strings.Contains(m.Subject, setting) {
				link = oneClickPattern.FindString(m.Text)
				return true
			}
		}
		return false
	})
	return link
}

// cookies are the names of the browser's cookies for the site.
func (b *tab) cookies() []string {
	b.t.Helper()
	var names []string
	b.run("reading the cookies", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
		if err != nil {
			return err
		}
		for _, c := range res.Cookies {
			names = append(names, c.Name)
		}
		return nil
	}))
	return names
}

// fetched is what the page's own fetch of a URL was answered (with the browser's cookies).
type fetched struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
	URL         string `json:"url"`
}

// fetch has the page fetch path (same origin, the browser's cookies, redirects followed).
func (b *tab) fetch(path string) fetched {
	b.t.Helper()
	r := get(b, "fetching "+path, chromedp.Evaluate[fetched](`fetch(`+jsString(path)+`, {credentials: 'same-origin'}).then(async r => ({
		status: r.status, contentType: r.headers.get('Content-Type') || '', disposition: r.headers.get('Content-Disposition') || '',
		body: await r.text(), url: r.url}))`, chromedp.EvalAwaitPromise))
	if r.Status >= 400 {
		// The browser logs a refused fetch: no error of the page.
		b.mu.Lock()
		b.errorPages[r.URL] = true
		b.mu.Unlock()
	}
	return r
}

// refused opens path and expects the page of a refusal: status and heading.
func (b *tab) refused(name, path string, status int, h1 string) {
	b.t.Helper()
	if st := b.open(path); st != status {
		b.t.Errorf("%s: GET %s answered %d, want %d: %s", name, path, st, status, b.text("main"))
	}
	if got := b.text("h1"); got != h1 {
		b.t.Errorf("%s: GET %s shows %q, want %q", name, path, got, h1)
	}
	b.audit(name)
	b.screenshot(name)
}

// hasXPath says whether an element matching the XPath is on the page now.
func (b *tab) hasXPath(xpath string) bool {
	b.t.Helper()
	return get(b, "looking for "+xpath, chromedp.Evaluate[bool](`document.evaluate(`+jsString(xpath)+
		`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue !== null`))
}

// built says whether a page's route exists: signed out, a page that exists sends to sign in,
// one that does not is Page not found.
func built(t *testing.T, path string) bool {
	t.Helper()
	r := newBrowser(t, shared.APIURL).get(path)
	return !(r.Status == 404 && strings.Contains(string(r.Body), "Page not found"))
}

// needPage skips the rest of a test when a staff page has not been built.
func needPage(t *testing.T, path, what string) {
	t.Helper()
	if !built(t, path) {
		t.Skipf("%s (%s) is not built yet", what, path)
	}
}

// TestBrowserStaffAssessorAndModerator: the offer email's one-click link opens the offer
// without signing in and accepts it, and is then worth nothing else (no session, nothing else
// opens, used once, tampered refused); a second offer's link declines it with a reason. The
// assessor signs in, reads the portfolio, scores with a draft saved automatically that
// survives a reload, checks and submits; the moderator confirms (a new assessor's first
// assessments are always moderated) and the application is awarded.
func TestBrowserStaffAssessorAndModerator(t *testing.T) {
	needPage(t, "/assess", "the assessor's inbox")
	start := time.Now()
	tm := newStaffTeam(t, "staffshire")
	name, other := "Staff Lane Primary", "Second Street Primary"
	appID, codes := tm.portfolio(t, "STAFF-1", name, award.Bronze)
	otherID, _ := tm.portfolio(t, "STAFF-2", other, award.Bronze)
	for _, id := range []string{appID, otherID} {
		tm.applicant.must(200, "POST", "/v1/applications/"+id+"/submit", map[string]any{"target_level": "bronze"})
		if a := tm.waitStage(t, id, "offered"); a.Assessment.Offer.PersonID != tm.ids["assessor"] {
			t.Fatalf("%s offered to %s, want the assessor", id, a.Assessment.Offer.PersonID)
		}
	}
	assessor, moderator := tm.member("assessor"), tm.member("moderator")
	b := newTab(t, true, phone, 2*time.Minute)
	b.label = "assessor"

	// The one-click link from the offer email, in a browser that has never signed in.
	link, otherLink := oneClickLink(t, assessor.Email, name), oneClickLink(t, assessor.Email, other)
	noLink := link == "" || otherLink == ""
	if !noLink {
		b.oneClick(tm, appID, otherID, name, other, link, otherLink)
	}

	// The assessor signs in, from the page of their assessments.
	b.signIn(assessor, "/assess", "/assess", "Assessments", 1)
	if a := tm.get(t, appID); a.Stage == "offered" {
		b.click("main a[href='/assess/" + appID + "/offer']")
		b.landed("offer", "/assess/"+appID+"/offer", name)
		b.click("form[action='/assess/" + appID + "/offer'] button[type=submit]")
		b.landed("offer accepted", `/assess/`+appID+`.*`, "")
		b.open("/assess")
		b.landed("inbox", "/assess", "Assessments")
	}
	if main := b.text("main"); !strings.Contains(main, name) || !strings.Contains(main, "Assessments in progress") {
		t.Fatalf("the inbox does not list %s in progress: %s", name, main)
	}
	b.click("main a[href='/assess/" + appID + "']")
	b.landed("portfolio", "/assess/"+appID, name)
	if main := b.text("main"); !strings.Contains(main, codes[0]+".pdf") {
		t.Errorf("the portfolio does not show the evidence of %s: %s", codes[0], main)
	}

	// Score: every standard at Bronze and feedback; the draft saves itself.
	b.click("main a[href='/assess/" + appID + "/score']")
	b.landed("score", "/assess/"+appID+"/score", "Score the portfolio")
	b.run("waiting for assess.js", chromedp.WaitReady(chromedp.CSS("#score-form[data-enhanced=true]")))
	for _, c := range codes {
		b.press("input[name='rating-" + c + "'][value=bronze]")
	}
	feedback := "A warm, well organised school. The designated teacher knows every pupil in care."
	b.type_("#feedback", feedback)
	status := b.waitDraftSaved()
	if !strings.HasPrefix(status, "Draft saved") {
		t.Errorf("the draft's status says %q, want Draft saved at ...", status)
	}
	if rec := b.text("#recommended"); !strings.Contains(rec, "Bronze") {
		t.Errorf("the recommended level shown live is %q, want Bronze", rec)
	}
	b.viewportShot("draft saved", "#draft-status")

	// A reload (the session timing out, the laptop closed) loses nothing.
	b.navigate("reloading the scoring form", chromedp.Reload())
	b.landed("score after a reload", "/assess/"+appID+"/score", "Score the portfolio")
	b.checkDraft(appID, codes, feedback)

	b.click("#score-form button[name=action][value=continue]")
	b.landed("check your assessment", "/assess/"+appID+"/check", "Check your assessment before you submit it")
	if main := b.text("main"); !strings.Contains(main, feedback) || strings.Contains(main, "Not rated") {
		t.Errorf("check your answers does not show the draft: %s", main)
	}
	b.click("form[action='/assess/" + appID + "/submit'] button[type=submit]")
	b.landed("assessment submitted", "/assess/"+appID+"/submitted", "Assessment submitted")
	if main := b.text("main"); !strings.Contains(main, "A moderator will review") {
		t.Errorf("the confirmation does not say a moderator reviews a new assessor's first assessment: %s", main)
	}
	b.assertNoConsoleErrors()

	// The moderator confirms.
	eventually(t, "a moderator", func() bool {
		a := tm.get(t, appID)
		return a.Assessment.Moderation != nil && a.Assessment.Moderation.ModeratorID != ""
	})
	m := newTab(t, true, phone, time.Minute)
	m.label = "moderator"
	m.signIn(moderator, "/moderate", "/moderate", "Moderation", 1)
	card := `//div[contains(@class,"govuk-summary-card")][.//h2[normalize-space()="` + name + `"]]`
	if !m.hasXPath(card) {
		t.Fatalf("the moderation queue does not list %s: %s", name, m.text("main"))
	}
	m.click(card + `//a[@href="/moderate/` + appID + `"]`)
	m.landed("moderate", "/moderate/"+appID, "Moderate the assessment")
	if main := m.text("main"); !strings.Contains(main, feedback) || !strings.Contains(main, codes[0]+".pdf") {
		t.Errorf("the moderation page does not show the feedback beside the evidence: %s", main)
	}
	m.press("#decision")
	m.click("form[action='/moderate/" + appID + "'] button[type=submit]")
	m.landed("check the decision", "/moderate/"+appID, "Check your decision before you send it")
	m.click("form[action='/moderate/" + appID + "'] input[value=send] ~ button[type=submit]")
	m.landed("moderated", "/moderate/"+appID+"/done", "confirmed")
	if a := tm.waitStage(t, appID, "awarded"); a.Assessment.Decision != "bronze" {
		t.Errorf("decision %q, want bronze", a.Assessment.Decision)
	}
	m.assertNoConsoleErrors()
	t.Logf("assessor and moderator: %d + %d pages audited by axe in %v", len(b.audited), len(m.audited), time.Since(start).Round(time.Millisecond))
	if noLink {
		t.Skip("the offer emails carry no one-click link: the one-click offer pages (/offers/{token}) are not built yet, so the offer was accepted from the inbox")
	}
}

// oneClick: the assessor, not signed in, opens the offer email's link from the development
// mailbox and accepts; the link then opens nothing else (no session cookie, /v1/me and
// /assess refused, the used link says so, a tampered one is not valid, the other offer's
// page stays closed to this browser); the other offer's own link declines it with a reason.
func (b *tab) oneClick(tm *awardTeam, appID, otherID, name, other, link, otherLink string) {
	t := b.t
	t.Helper()
	b.open("/dev/mailbox?to=" + tm.member("assessor").Email)
	b.landed("mailbox with the offers", `/dev/mailbox\?to=.*`, "Development mailbox")
	b.click("main a[href='" + link + "']")
	b.landed("offer from the email", `/offers/[A-Za-z0-9_-]{43}`, name)
	b.click("form[action$='/accept'] button[type=submit]")
	b.landed("offer accepted from the email", `/offers/[A-Za-z0-9_-]{43}/accept`, "Offer accepted")
	if a := tm.get(t, appID); a.Stage != "assessment" {
		t.Fatalf("after accepting from the email: stage %s", a.Stage)
	}

	// The link was a key to that one offer only.
	for _, c := range b.cookies() {
		if c == "award_session" {
			t.Error("the one-click link left a session cookie")
		}
	}
	if r := b.fetch("/v1/me"); r.Status != 401 {
		t.Errorf("after the one-click link, /v1/me answered %d: %.200s", r.Status, r.Body)
	}
	for _, p := range []string{"/assess", "/assess/" + appID, "/assess/" + otherID + "/offer"} {
		if r := b.fetch(p); !strings.HasSuffix(r.URL, "/signin") || strings.Contains(r.Body, other) {
			t.Errorf("after the one-click link, %s led to %s (%d), not to sign in", p, r.URL, r.Status)
		}
	}
	if st := b.open(link); st != 410 || b.has("main form") {
		t.Errorf("the used link answered %d: %s", st, b.text("main"))
	}
	b.landed("used link", `/offers/[A-Za-z0-9_-]{43}`, "This link has already been used")
	// Another application's offer, by its link with one character changed: not valid.
	last := "A"
	if strings.HasSuffix(otherLink, "A") {
		last = "B"
	}
	tampered := otherLink[:len(otherLink)-1] + last
	if st := b.open(tampered); st != 404 || strings.Contains(b.text("main"), other) {
		t.Errorf("a tampered link answered %d: %s", st, b.text("main"))
	}
	b.landed("tampered link", `/offers/[A-Za-z0-9_-]{43}`, "This link is not valid")
	// The other offer's own link declines it: a reason is required, then are you sure.
	b.open(otherLink)
	b.landed("other offer from the email", `/offers/[A-Za-z0-9_-]{43}`, other)
	b.click("main a[href$='/decline']")
	b.landed("decline from the email", `/offers/[A-Za-z0-9_-]{43}/decline`, "Why are you declining this offer?")
	if st := b.click("form[action$='/decline'] button[type=submit]"); st != 422 || !b.has(".govuk-error-summary") {
		t.Errorf("declining without a reason: %d, error summary %v", st, b.has(".govuk-error-summary"))
	}
	b.landed("decline without a reason", `/offers/[A-Za-z0-9_-]{43}/decline`, "Why are you declining this offer?")
	b.type_("#reason", "I was a governor of this school until last year.")
	b.click("form[action$='/decline'] button[type=submit]")
	b.landed("decline: are you sure", `/offers/[A-Za-z0-9_-]{43}/decline`, "Are you sure you want to decline this offer?")
	b.click("form[action$='/decline'] button[type=submit]")
	b.landed("declined from the email", `/offers/[A-Za-z0-9_-]{43}/decline`, "Offer declined")
	eventually(t, "the declined offer released", func() bool { return tm.get(t, otherID).Stage != "offered" })
}

// waitDraftSaved waits for assess.js to say the draft is saved and stay so for longer than its
// autosave delay (no save pending), and returns what the status line says.
func (b *tab) waitDraftSaved() string {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var since time.Time
	for {
		st := get(b, "reading the draft's state", chromedp.Evaluate[string](`document.getElementById('score-form').dataset.state || ''`))
		switch {
		case st != "saved":
			since = time.Time{}
		case since.IsZero():
			since = time.Now()
		case time.Since(since) > 1500*time.Millisecond:
			return b.text("#draft-status")
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the draft was not saved: state %q, status %q", st, b.text("#draft-status"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkDraft: the scoring form shows the draft (every standard at Bronze, the feedback), and
// so does the page as the server sends it (not the browser's memory of the form).
func (b *tab) checkDraft(appID string, codes []string, feedback string) {
	b.t.Helper()
	for _, c := range codes {
		if !get(b, "reading the rating of "+c, chromedp.Evaluate[bool](`!!document.querySelector("input[name='rating-`+c+`'][value=bronze]:checked")`)) {
			b.t.Errorf("after a reload, %s is not rated Bronze", c)
		}
	}
	if got := get(b, "reading the feedback", chromedp.Value(chromedp.CSS("#feedback"))); got != feedback {
		b.t.Errorf("after a reload, the feedback is %q, want %q", got, feedback)
	}
	page := b.fetch("/assess/" + appID + "/score")
	if n := strings.Count(page.Body, `value="bronze" checked`); page.Status != 200 || n != len(codes) || !strings.Contains(page.Body, feedback) {
		b.t.Errorf("the scoring form as the server sends it: %d, %d of %d standards rated Bronze, feedback there %v",
			page.Status, n, len(codes), strings.Contains(page.Body, feedback))
	}
}

// TestBrowserStaffAdminUnsticks: an admin sees the dashboard, finds on the stuck list a
// fostering application that no assessor could be allocated (the council's assessors assess
// schools only), allocates it by hand from its card (the candidates, a reason, the result in a
// banner), finds it again by search and opens its page; the reports and the audit trail
// download as CSV with the browser's cookies. axe audits every page.
func TestBrowserStaffAdminUnsticks(t *testing.T) {
	needPage(t, "/admin/stuck", "the stuck list")
	start := time.Now()
	tm := newStaffTeam(t, "unstaffshire")
	name := "Alder House"
	orphan := tm.registerFoster(t, "STAFF-MF1", name, "mainstream_foster", "", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+orphan+"/submit", map[string]any{"target_level": "bronze"})
	eventually(t, "no eligible assessor on the stuck list", func() bool {
		_, ok := stuckList(t, tm.adm).entry(orphan, "no_eligible_assessor")
		return ok
	})

	b := newTab(t, true, desktop, 2*time.Minute)
	b.label = "admin"
	b.signIn(tm.member("admin"), "/admin", "/admin", "Dashboard", 1)
	if flags := b.text("#count-flags"); !strings.Contains(flags, "No eligible assessor") {
		t.Errorf("the dashboard's flags do not count the application no assessor could take: %s", flags)
	}

	// The stuck list: the application's card says why and offers to allocate by hand.
	b.click("header a[href='/admin/stuck']")
	b.landed("stuck list", "/admin/stuck", "Stuck applications")
	card := `//div[contains(@class,"govuk-summary-card")][.//h2[normalize-space()="` + name + `"]]`
	if text := b.text(".govuk-summary-card"); !strings.Contains(b.text("main"), "No assessor can be allocated") {
		t.Errorf("the stuck list does not say why %s is stuck: %s", name, text)
	}
	b.click(card + `//a[contains(@href,"/allocate")]`)
	b.landed("allocate by hand", `/admin/applications/`+orphan+`/allocate\?from=stuck`, "Allocate an assessor by hand")
	if rules := b.text("#rules"); !strings.Contains(rules, "nobody") {
		t.Errorf("the allocation page does not say the rules find nobody: %s", rules)
	}
	b.press("input[name=assessor][value='" + tm.ids["assessor"] + "']")
	if b.has("#reason") {
		b.type_("#reason", "Ada has fostering experience from her previous post.")
	}
	b.click("form[action='/admin/applications/" + orphan + "/allocate'] button[type=submit]")
	b.landed("stuck list after allocating", "/admin/stuck", "Stuck applications")
	if banner := b.text(".govuk-notification-banner"); banner == "" {
		t.Error("no banner with the result of allocating by hand")
	} else {
		t.Logf("banner: %s", banner)
	}
	if a := tm.waitStage(t, orphan, "offered"); a.Assessment.Offer.PersonID != tm.ids["assessor"] {
		t.Errorf("allocated by hand to %s, want the assessor", a.Assessment.Offer.PersonID)
	}
	b.open("/admin/stuck")
	b.landed("stuck list, unstuck", "/admin/stuck", "Stuck applications")
	if b.hasXPath(card) {
		t.Errorf("%s is still on the stuck list: %s", name, b.text("main"))
	}

	// Search finds it; its page shows the allocation.
	b.click("header a[href='/admin/search']")
	b.landed("search", "/admin/search", "Search applications")
	b.type_("#q", "Alder")
	b.click("form[action='/admin/search'] button[type=submit]")
	b.landed("search results", `/admin/search\?q=Alder`, "Search applications")
	b.click("main a[href='/admin/applications/" + orphan + "']")
	b.landed("application", "/admin/applications/"+orphan, name)
	if main := b.text("main"); !strings.Contains(main, "Offered to an assessor") {
		t.Errorf("the application's page does not show it offered: %s", main)
	}

	// Reports for a period, downloaded as CSV; the audit trail of the application too.
	var missing []string
	if built(t, "/admin/reports") {
		b.reportsAsCSV(tm, orphan)
	} else {
		missing = append(missing, "/admin/reports")
	}
	if built(t, "/admin/audit") {
		b.auditAsCSV(tm, orphan)
	} else {
		missing = append(missing, "/admin/audit")
	}

	b.assertNoConsoleErrors()
	t.Logf("admin: %d pages audited by axe in %v", len(b.audited), time.Since(start).Round(time.Millisecond))
	if len(missing) > 0 {
		t.Skipf("not built yet, so not tried: %s", strings.Join(missing, ", "))
	}
}

// reportsAsCSV: the reports page shows the figures of a period typed in its form, and its
// download link gives them as CSV (fetched with the browser's cookies).
func (b *tab) reportsAsCSV(tm *awardTeam, appID string) {
	t := b.t
	t.Helper()
	b.click("header a[href='/admin/reports']")
	b.landed("reports", "/admin/reports", "Reports")
	now := time.Now()
	for id, v := range map[string]string{"from": "1", "from-month": "1", "from-year": fmt.Sprint(now.Year() - 1),
		"to": fmt.Sprint(now.Day()), "to-month": fmt.Sprint(int(now.Month())), "to-year": fmt.Sprint(now.Year())} {
		b.run("typing the period", chromedp.SetValue(chromedp.ID(id), v))
	}
	b.click("form[action='/admin/reports'] button[type=submit]")
	b.landed("report for the period", `/admin/reports\?.+`, "Reports")
	href := get(b, "reading the CSV link", chromedp.AttributeValue(chromedp.CSS("main a[href^='/admin/reports.csv']"), "href")).Value
	if !strings.Contains(href, fmt.Sprint(now.Year()-1)) {
		t.Errorf("the CSV link %s is not for the period asked", href)
	}
	rows := b.csvDownload("report", href)
	if len(rows) < 2 || strings.Join(rows[0], ",") != "section,key,measure,value" {
		t.Fatalf("the report's CSV does not start with its header row: %q", rows)
	}
	var tenant, ada bool
	for _, r := range rows {
		tenant = tenant || strings.Join(r, ",") == "period,tenant,,"+tm.tenant
		ada = ada || (len(r) == 4 && r[0] == "assessor_workload" && r[3] == "Ada Assessor")
	}
	if !tenant || !ada {
		t.Errorf("the report's CSV: tenant row %v, Ada's workload %v:\n%q", tenant, ada, rows)
	}
}

// auditAsCSV: the audit page's form, for one application, downloads its trail as CSV.
func (b *tab) auditAsCSV(tm *awardTeam, appID string) {
	t := b.t
	t.Helper()
	b.open("/admin/audit")
	b.landed("audit", "/admin/audit", "Export the audit trail")
	b.type_("#application", appID)
	href := get(b, "reading the audit form", chromedp.Evaluate[string](`(() => {
		const f = document.querySelector("main form[action='/admin/audit.csv']");
		return f.getAttribute('action') + '?' + new URLSearchParams(new FormData(f)).toString();
	})()`))
	rows := b.csvDownload("audit trail", href)
	if len(rows) < 2 || rows[0][0] != "id" || !slices.Contains(rows[0], "action") {
		t.Fatalf("the audit CSV does not start with its header row: %q", rows)
	}
	action := slices.Index(rows[0], "action")
	var byHand, reason bool
	for _, r := range rows[1:] {
		if !slices.Contains(r, appID) {
			t.Errorf("the audit CSV of %s holds another application's line: %q", appID, r)
		}
		line := strings.Join(r, " ")
		byHand = byHand || r[action] == "assessor_offered" && strings.Contains(line, "allocated by hand") && strings.Contains(line, tm.ids["assessor"])
		reason = reason || strings.Contains(line, "fostering experience")
	}
	if !byHand {
		t.Errorf("the audit CSV does not record the allocation by hand to the assessor:\n%q", rows)
	}
	if !reason {
		t.Errorf("the audit trail does not keep the reason the admin typed for allocating by hand:\n%q", rows)
	}
}

// csvDownload fetches a download link of the page with the browser's cookies: it must be a
// CSV attachment, returned as rows.
func (b *tab) csvDownload(what, href string) [][]string {
	b.t.Helper()
	r := b.fetch(href)
	if r.Status != 200 || !strings.HasPrefix(r.ContentType, "text/csv") || !strings.HasPrefix(r.Disposition, "attachment") {
		b.t.Fatalf("downloading the %s (%s): %d %q %q: %.300s", what, href, r.Status, r.ContentType, r.Disposition, r.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		b.t.Fatalf("the %s is not CSV: %v: %.300s", what, err, r.Body)
	}
	b.t.Logf("%s: %s, %s, %d rows", what, r.ContentType, r.Disposition, len(rows))
	return rows
}

// TestBrowserStaffRoleIsolation: through the pages, an assessor is refused every admin page
// with the "You cannot do this" page (403) and finds nothing of an application that is not
// theirs; an admin finds nothing of another council's application (404), on a phone where
// each admin page must fit the screen.
func TestBrowserStaffRoleIsolation(t *testing.T) {
	needPage(t, "/admin", "the admin dashboard")
	tm := newStaffTeam(t, "isoshire")
	var own, foreign application
	tm.applicant.must(201, "POST", "/v1/applications", map[string]any{"setting_reference": "ISO-1", "setting_name": "Isolated Infants",
		"track": "caring_schools", "variant": "primary"}).json(t, &own)
	as(t, shared, "demo-eastmere-applicant").must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": fmt.Sprintf("EAST-%d", time.Now().UnixNano()%1e9), "setting_name": "Eastmere Elsewhere Primary",
		"track": "caring_schools", "variant": "primary"}).json(t, &foreign)
	var skipped []string
	adminPages := []string{"/admin", "/admin/stuck", "/admin/search", "/admin/applications/" + own.ID,
		"/admin/applications/" + own.ID + "/allocate", "/admin/reports", "/admin/audit", "/admin/people", "/admin/people/new",
		"/admin/people/" + tm.ids["assessor"], "/admin/people/" + tm.ids["assessor"] + "/roster", "/admin/roster",
		"/admin/settings", "/admin/cohort"}

	a := newTab(t, true, desktop, 2*time.Minute)
	a.label = "assessor"
	a.signIn(tm.member("assessor"), "/assess", "/assess", "Assessments", 1)
	for _, p := range adminPages {
		if !built(t, p) {
			t.Logf("%s is not built yet: not tried", p)
			skipped = append(skipped, p)
			continue
		}
		a.refused("assessor on "+p, p, 403, "You cannot do this")
	}
	for _, p := range []string{"/assess/" + own.ID, "/assess/" + own.ID + "/score", "/assess/" + foreign.ID, "/assess/" + foreign.ID + "/offer"} {
		a.refused("assessor on "+p, p, 404, "Page not found")
	}
	if strings.Contains(a.html(), "Eastmere Elsewhere") {
		t.Error("the assessor's not-found page names the other council's setting")
	}
	a.assertNoConsoleErrors()

	m := newTab(t, true, phone, 2*time.Minute)
	m.label = "admin"
	m.signIn(tm.member("admin"), "/admin", "/admin", "Dashboard", 1)
	// Every admin page, on a phone: axe, and it fits the screen.
	for _, p := range adminPages[1:] {
		if !built(t, p) {
			continue
		}
		if st := m.open(p); st != 200 {
			t.Errorf("admin on %s: %d %s", p, st, m.text("main"))
			continue
		}
		m.landed("admin's "+p, regexp.QuoteMeta(p)+`(\?.*)?`, "")
	}
	for _, p := range []string{"/admin/applications/" + foreign.ID, "/admin/applications/" + foreign.ID + "/allocate",
		"/moderate/" + own.ID} {
		st := m.open(p)
		if st != 404 && st != 403 {
			t.Errorf("admin on %s: %d %s", p, st, m.text("main"))
		}
		if p == "/admin/applications/"+foreign.ID && (st != 404 || m.text("h1") != "Page not found") {
			t.Errorf("admin of another council on %s: %d %q, want Page not found", p, st, m.text("h1"))
		}
		m.audit("admin on " + p)
	}
	if strings.Contains(m.html(), "Eastmere Elsewhere") {
		t.Error("the admin's not-found page names the other council's setting")
	}
	m.assertNoConsoleErrors()
	if len(skipped) > 0 {
		t.Skipf("not built yet, so not tried: %s", strings.Join(skipped, ", "))
	}
}
