package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// The moderator's pages (moderator.go) over the fake journey. The framework is
// appstest.Framework: areas A–D, each with a standard from bronze (A1), one from silver (A2)
// and one from gold (A3).

var (
	mia = award.Person{ID: "p-mia", TenantID: "north", Name: "Mia Moderator", Email: "mia@example.org",
		Roles: []string{award.RoleModerator}, Active: true}
	moe = award.Person{ID: "p-moe", TenantID: "north", Name: "Moe Moderator", Email: "moe@example.org",
		Roles: []string{award.RoleModerator}, Active: true}
	abe = award.Person{ID: "p-abe", TenantID: "north", Name: "Abe Assessor", Email: "abe@example.org",
		Roles: []string{award.RoleAssessor}, Active: true}
	eveMod = award.Person{ID: "p-mia", TenantID: "east", Name: "Mia Elsewhere", Email: "mia@east.example.org",
		Roles: []string{award.RoleModerator}, Active: true}
)

func init() {
	zeroData["moderator/queue"] = queueData{}
	zeroData["moderator/moderate"] = moderationData{}
	zeroData["moderator/amend"] = moderationData{}
	zeroData["moderator/check"] = moderationData{}
	zeroData["moderator/done"] = moderated{}
}

// silverRatings rates every standard of the framework silver, gold-only ones not met.
func silverRatings() map[string]award.Level {
	r := map[string]award.Level{}
	for _, area := range []string{"A", "B", "C", "D"} {
		r[area+"1"], r[area+"2"], r[area+"3"] = award.Silver, award.Silver, award.NotMet
	}
	return r
}

// inModeration seeds an application held by Mia for moderation: assessed by Abe (Silver
// recommended for Silver), moderated for reasons, due at due.
func inModeration(f *appstest.Fakes, id, name, moderatorID string, due time.Time, m award.Moderation) {
	m.ModeratorID, m.Name, m.Required = moderatorID, "Mia Moderator", true
	m.RequestedAt, m.DueAt = appstest.Ptr(day2), &due
	f.AddApplication(postgres.Application{ID: id, TenantID: "north", ApplicantID: ann.ID, SupporterID: sue.ID,
		SettingReference: "URN-" + id, SettingName: name, Track: "caring_schools", Variant: "primary",
		AssessorID: abe.ID, ModeratorID: moderatorID},
		workflows.Status{Stage: workflows.StageModeration, TargetLevel: "silver", SubmittedAt: appstest.Ptr(day1),
			Evidence: []activities.Evidence{
				evidence("ev-1", award.EvidenceConfirmed, "A1", "A2"),
				evidence("ev-2", award.EvidenceConfirmed, "B1"),
				evidence("ev-3", award.EvidenceRemoved, "C1"),
			},
			Next: workflows.NextStep{Action: "Mia Moderator moderates the recommendation", DueAt: &due},
			Assessment: &workflows.Assessment{AssessorID: abe.ID, AssessorName: "Abe Assessor", AssessorPrior: 5,
				AcceptedAt: appstest.Ptr(day1), Ratings: silverRatings(), Feedback: "Strong leadership.\nAttendance work is thin.",
				VisitDate: "2026-09-14", Recommended: award.Silver, AssessedAt: appstest.Ptr(day2), Round: 1, Moderation: &m}})
}

// moderationFakes: Mia moderates Oak Primary (sampled, due in a week) and Elm Nursery (Gold
// recommended, the assessor's second, overdue); Moe moderates Ash Academy.
func moderationFakes() *appstest.Fakes {
	f := appstest.New()
	for _, p := range []award.Person{mia, moe, abe} {
		f.Store.AddPerson(p)
	}
	now := time.Now()
	inModeration(f, "app-oak", "Oak Primary", mia.ID, now.Add(7*24*time.Hour),
		award.Moderation{Reasons: []string{"random sample (draw 0.0731 < 0.10)"}, Draw: 0.0731})
	inModeration(f, "app-elm", "Elm Nursery", mia.ID, now.Add(-2*24*time.Hour),
		award.Moderation{Reasons: []string{"Gold recommendation", "assessor's first 3 assessments (this is number 2)",
			"recommendation (Gold) differs from the target (Silver)"}, Draw: 0.93})
	inModeration(f, "app-ash", "Ash Academy", moe.ID, now.Add(3*24*time.Hour),
		award.Moderation{Reasons: []string{`"not yet" recommendation`}})
	return f
}

// TestModerationQueue: the moderator's queue lists what they moderate, overdue first with the
// reasons in words (the sample with its draw), and nothing of another moderator's.
func TestModerationQueue(t *testing.T) {
	e := newTestServer(t, mia, moderationFakes())
	r := e.get("/moderate")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Moderation" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "You have 2 assessments to moderate: 1 is overdue",
		"Picked in the random sample: its draw, 0.0731, is under the sampling rate of 0.10",
		"Gold recommended: every Gold is moderated",
		"One of the assessor’s first three assessments: this is their second",
		"The recommendation (Gold) differs from the level applied for (Silver)",
		"Abe Assessor", "Applied for Silver", "Overdue", formatDate(time.Now().Add(7*24*time.Hour)))
	mustNotSay(t, r, "Ash Academy", "random sample (draw")
	cards := findAll(r.doc, hasClass("govuk-summary-card"))
	if len(cards) != 2 || !strings.Contains(text(cards[0]), "Elm Nursery") || !strings.Contains(text(cards[0]), "Overdue") ||
		strings.Contains(text(cards[1]), "Overdue") {
		t.Fatalf("want Elm (overdue) then Oak: %d cards", len(cards))
	}
	if !hasLink(r, "/moderate/app-elm") || !hasLink(r, "/moderate/app-oak") {
		t.Errorf("links: %v", links(r))
	}
	nav := first(r.doc, hasClass("govuk-service-navigation__item--active"))
	if !strings.Contains(text(nav), "Moderation") {
		t.Errorf("current navigation item %q", text(nav))
	}

	e.me = moe
	r = e.get("/moderate")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Ash Academy", "“Not yet” recommended")
	mustNotSay(t, r, "Oak Primary", "Elm Nursery")

	e.me = eveMod // the same person id in another council
	r = e.get("/moderate")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You have no assessments to moderate")
}

// TestModerationQueueIsForModerators: an assessor, an applicant and an admin without the
// moderator role get the "You cannot do this" page.
func TestModerationQueueIsForModerators(t *testing.T) {
	f := moderationFakes()
	admin := award.Person{ID: "p-ada", TenantID: "north", Name: "Ada Admin", Roles: []string{award.RoleAdmin}, Active: true}
	for _, p := range []award.Person{abe, ann, admin} {
		e := newTestServer(t, p, f)
		r := e.get("/moderate")
		checkPage(t, r, http.StatusForbidden)
		if heading(r) != "You cannot do this" {
			t.Fatalf("%s: h1 %q", p.Name, heading(r))
		}
		mustSay(t, r, "Only moderators have a moderation queue")
		mustNotSay(t, r, "Oak Primary")
	}
}

// isChecked says the input of this id is checked.
func isChecked(r response, id string) bool {
	n := first(r.doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if n == nil {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "checked" {
			return true
		}
	}
	return false
}

// standardCard is the side-by-side card of one standard.
func standardCard(t *testing.T, r response, code string) *html.Node {
	t.Helper()
	n := first(r.doc, func(n *html.Node) bool { return attr(n, "id") == "standard-"+code })
	if n == nil {
		t.Fatalf("no card for %s", code)
	}
	return n
}

// TestModerationPage: the assessment beside the portfolio: why it is moderated, the
// recommendation, the feedback and visit, and per standard the assessor's rating in one half
// and its evidence (links through the page, removed files left out) in the other.
func TestModerationPage(t *testing.T) {
	e := newTestServer(t, mia, moderationFakes())
	r := e.get("/moderate/app-oak")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Moderate the assessment" || !strings.HasPrefix(pageTitle(r), "Moderate the assessment of Oak Primary") {
		t.Fatalf("h1 %q, title %q", heading(r), pageTitle(r))
	}
	mustSay(t, r, "Oak Primary", "Picked in the random sample: its draw, 0.0731", "Silver", "Applied for Silver",
		"Abe Assessor", "Assessed 21 September 2026", "14 September 2026", "Strong leadership.", "Attendance work is thin.",
		"2 files", "URN-app-oak", "Caring Schools")
	a1 := standardCard(t, r, "A1")
	halves := findAll(a1, hasClass("govuk-grid-column-one-half"))
	if len(halves) != 2 {
		t.Fatalf("A1: want two halves, got %d", len(halves))
	}
	if !strings.Contains(text(halves[0]), "The assessor’s rating Silver") || !strings.Contains(text(halves[0]), "Silver descriptor: A1 at silver") {
		t.Errorf("A1 rating half: %q", text(halves[0]))
	}
	if !strings.Contains(text(halves[1]), "ev-1.pdf (opens in new tab)") || !strings.Contains(text(halves[1]), "PDF, 1000 bytes") {
		t.Errorf("A1 evidence half: %q", text(halves[1]))
	}
	link := first(halves[1], func(n *html.Node) bool { return n.Data == "a" })
	if attr(link, "href") != "/moderate/app-oak/evidence/ev-1" || attr(link, "target") != "_blank" || !strings.Contains(attr(link, "rel"), "noopener") {
		t.Errorf("A1 link %v", link.Attr)
	}
	if c1 := text(standardCard(t, r, "C1")); !strings.Contains(c1, "No evidence") || strings.Contains(c1, "ev-3") {
		t.Errorf("C1 (its file removed): %q", c1)
	}
	if a3 := text(standardCard(t, r, "A3")); !strings.Contains(a3, "Not met") || !strings.Contains(a3, "Needed from Gold") {
		t.Errorf("A3: %q", a3)
	}
	for _, id := range []string{"decision", "decision-amend", "decision-refer_back", "rationale"} {
		if first(r.doc, func(n *html.Node) bool { return attr(n, "id") == id }) == nil {
			t.Errorf("no #%s in the decision form", id)
		}
	}
	mustSay(t, r, "The decision will be Silver, as the assessor recommended")
}

// TestModerationEvidenceOpens: a file opens through a short-lived link (303; a PDF in place);
// a removed one is not found.
func TestModerationEvidenceOpens(t *testing.T) {
	f := moderationFakes()
	e := newTestServer(t, mia, f)
	r := e.get("/moderate/app-oak/evidence/ev-1")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), appstest.URL+"/") ||
		!strings.HasSuffix(r.header.Get("Location"), "?view=ev-1.pdf") {
		t.Fatalf("%d %q", r.status, r.header.Get("Location"))
	}
	if len(f.Objects.Gets) == 0 || !strings.HasSuffix(f.Objects.Gets[len(f.Objects.Gets)-1], "/ev-1") {
		t.Fatalf("links handed out: %v", f.Objects.Gets)
	}
	checkNotFound(t, e.get("/moderate/app-oak/evidence/ev-3"))
	e.me = moe
	checkNotFound(t, e.get("/moderate/app-oak/evidence/ev-1"), "Oak Primary")
}

// TestModerationOfAnotherIsRefused: another moderator's assessment, another council's, and a
// missing one are Page not found (GET and POST, nothing sent); the assessor holding it may not
// moderate it (403).
func TestModerationOfAnotherIsRefused(t *testing.T) {
	f := moderationFakes()
	for _, c := range []struct {
		me   award.Person
		path string
	}{{moe, "/moderate/app-oak"}, {mia, "/moderate/app-ash"}, {eveMod, "/moderate/app-oak"}, {mia, "/moderate/app-nope"}, {ann, "/moderate/app-oak"}} {
		e := newTestServer(t, c.me, f)
		if c.me.ID == ann.ID {
			// The applicant may know the application exists: refused, not hidden.
			checkPage(t, e.get(c.path), http.StatusForbidden)
			continue
		}
		checkNotFound(t, e.get(c.path), "Oak Primary", "Ash Academy")
		checkNotFound(t, e.postForm(c.path, url.Values{"step": {"send"}, "decision": {"confirm"}}), "Oak Primary")
		checkNotFound(t, e.get(c.path+"/evidence/ev-1"))
	}
	e := newTestServer(t, abe, f)
	r := e.get("/moderate/app-oak")
	checkPage(t, r, http.StatusForbidden)
	mustSay(t, r, "Only the moderator assigned to this application may moderate it")
	checkPage(t, e.postForm("/moderate/app-oak", url.Values{"step": {"send"}, "decision": {"confirm"}}), http.StatusForbidden)
	if sent := f.Temporal.Sent(workflows.UpdateModerate); len(sent) != 0 {
		t.Fatalf("moderations sent: %+v", sent)
	}
}

// decided answers a moderation as the journey does: confirm and amend decide now; refer back
// returns the assessment to the assessor, due again in ten working days.
func decided(assessorDue time.Time) appstest.UpdateFunc {
	return func(st *workflows.Status, arg any) (any, error) {
		r := arg.(workflows.ModerateRequest)
		a := *st.Assessment
		m := *a.Moderation
		switch r.Decision {
		case workflows.ModerationConfirm:
			m.Outcome = "confirmed"
		case workflows.ModerationAmend:
			m.Outcome, m.Rationale, m.Amended = "amended", r.Rationale, r.Ratings
		case workflows.ModerationReferBack:
			m.ReferredBack, m.Rationale, m.DueAt = true, r.Rationale, nil
			a.DueAt, a.Round = &assessorDue, a.Round+1
			st.Stage = workflows.StageAssessment
		}
		a.Moderation = &m
		st.Assessment = &a
		return nil, nil
	}
}

// TestModerationConfirm: confirm → check your decision → send → the confirmation panel, once.
func TestModerationConfirm(t *testing.T) {
	f := moderationFakes()
	f.Temporal.OnUpdate(workflows.UpdateModerate, decided(day4))
	e := newTestServer(t, mia, f)
	r := e.postForm("/moderate/app-oak", url.Values{"step": {"decide"}, "decision": {"confirm"}})
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Check your decision before you send it" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Confirm the recommendation", "Silver", "None given", "You cannot change your decision after you send it")
	if len(f.Temporal.Sent(workflows.UpdateModerate)) != 0 {
		t.Fatal("sent before the check step")
	}
	r = e.postForm("/moderate/app-oak", url.Values{"step": {"send"}, "decision": {"confirm"}, "rationale": {""}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/moderate/app-oak/done" {
		t.Fatalf("send: %d %q %s", r.status, r.header.Get("Location"), firstLines(mainText(r), 30))
	}
	sent := f.Temporal.Sent(workflows.UpdateModerate)
	if len(sent) != 1 {
		t.Fatalf("sent %d", len(sent))
	}
	if req := sent[0].Arg.(workflows.ModerateRequest); req.Decision != "confirm" || req.Actor.ID != mia.ID || req.Actor.Role != workflows.RoleModerator {
		t.Fatalf("request %+v", req)
	}
	r = e.follow(r)
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Assessment confirmed" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Oak Primary", "Decision: Silver", "the applicant is emailed it with their certificate")
	if !hasLink(r, "/moderate") {
		t.Error("no link back to the queue")
	}
	if r := e.get("/moderate/app-oak/done"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/moderate" {
		t.Fatalf("the confirmation again: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestModerationAmend: amend needs reasons; the ratings page starts at the assessor's ratings
// with each level's descriptor, needs a change, and the check page shows the changes and the
// level they give; every standard's rating is sent.
func TestModerationAmend(t *testing.T) {
	f := moderationFakes()
	f.Temporal.OnUpdate(workflows.UpdateModerate, decided(day4))
	e := newTestServer(t, mia, f)
	r := e.postForm("/moderate/app-oak", url.Values{"step": {"decide"}, "decision": {"amend"}, "rationale": {"  "}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "rationale", "Enter why you are amending the ratings")
	if !isChecked(r, "decision-amend") {
		t.Error("the decision chosen is not kept")
	}

	reason := "A2 and B2 lack evidence of impact.\nBronze is fair."
	r = e.postForm("/moderate/app-oak", url.Values{"step": {"decide"}, "decision": {"amend"}, "rationale": {reason}})
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Amend the ratings" {
		t.Fatalf("h1 %q", heading(r))
	}
	if !isChecked(r, "rating-A1-silver") || !isChecked(r, "rating-A3") {
		t.Error("the assessor's ratings are not selected")
	}
	mustSay(t, r, "A2 at silver", "The assessor rated it Silver. Needed from Silver.")

	form := url.Values{"step": {"ratings"}, "decision": {"amend"}, "rationale": {reason}}
	for code, l := range silverRatings() {
		form.Set("rating-"+code, l.String())
	}
	r = e.postForm("/moderate/app-oak", form)
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "rating-A1", "Change at least one rating, or go back and confirm the recommendation")

	form.Del("rating-D3")
	r = e.postForm("/moderate/app-oak", form)
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "rating-D3", "Select a rating for D3 Standard D3")

	form.Set("rating-D3", "not_met")
	form.Set("rating-A2", "bronze")
	form.Set("rating-B2", "bronze")
	r = e.postForm("/moderate/app-oak", form)
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Check your decision before you send it" {
		t.Fatalf("h1 %q: %s", heading(r), firstLines(mainText(r), 30))
	}
	mustSay(t, r, "Amend the ratings", "A2 Standard A2: Silver to Bronze", "B2 Standard B2: Silver to Bronze",
		"The assessor recommended Silver", "A2 and B2 lack evidence of impact.", "Bronze is fair.")
	if tag := text(first(r.doc, hasClass("govuk-tag"))); tag != "Bronze" {
		t.Errorf("the decision shown %q, want Bronze", tag)
	}

	// Change the ratings, then send.
	back := url.Values{"step": {"change-ratings"}}
	for k, v := range form {
		if k != "step" {
			back[k] = v
		}
	}
	r = e.postForm("/moderate/app-oak", back)
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Amend the ratings" || !isChecked(r, "rating-A2-bronze") {
		t.Fatalf("change the ratings: %q", heading(r))
	}
	form.Set("step", "send")
	r = e.postForm("/moderate/app-oak", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("send: %d %s", r.status, firstLines(mainText(r), 40))
	}
	req := f.Temporal.Sent(workflows.UpdateModerate)[0].Arg.(workflows.ModerateRequest)
	if req.Decision != "amend" || req.Rationale != reason || len(req.Ratings) != 12 || req.Ratings["A2"] != award.Bronze || req.Ratings["A1"] != award.Silver {
		t.Fatalf("request %+v", req)
	}
	r = e.follow(r)
	if heading(r) != "Ratings amended" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Decision: Bronze", "ratings as you amended them")
}

// TestModerationReferBack: refer back needs what to look at again; it is sent with the reasons
// and the confirmation says when the assessor sends it back.
func TestModerationReferBack(t *testing.T) {
	f := moderationFakes()
	f.Temporal.OnUpdate(workflows.UpdateModerate, decided(day4))
	e := newTestServer(t, mia, f)
	r := e.postForm("/moderate/app-oak", url.Values{"step": {"decide"}, "decision": {"refer_back"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "rationale", "Enter what the assessor should look at again")

	r = e.postForm("/moderate/app-oak", url.Values{"step": {"decide"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "decision", "Select whether you confirm the recommendation")

	why := "Look again at C2: the attendance data is from last year."
	r = e.postForm("/moderate/app-oak", url.Values{"step": {"decide"}, "decision": {"refer_back"}, "rationale": {why}})
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Refer it back to the assessor", "Abe Assessor is emailed your reasons", why)
	if b := first(r.doc, func(n *html.Node) bool { return n.Data == "button" && strings.Contains(text(n), "Refer it back") }); b == nil {
		t.Error("no Refer it back button")
	}
	r = e.postForm("/moderate/app-oak", url.Values{"step": {"send"}, "decision": {"refer_back"}, "rationale": {why}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("send: %d %s", r.status, firstLines(mainText(r), 40))
	}
	req := f.Temporal.Sent(workflows.UpdateModerate)[0].Arg.(workflows.ModerateRequest)
	if req.Decision != "refer_back" || req.Rationale != why {
		t.Fatalf("request %+v", req)
	}
	r = e.follow(r)
	if heading(r) != "Referred back to the assessor" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Back with Abe Assessor", "by 11 January 2027", "It cannot be referred back again")
	// It is back with the assessor: no longer the moderator's.
	checkNotFound(t, e.get("/moderate/app-oak"))
	mustNotSay(t, e.get("/moderate"), "Oak Primary")
}

// TestModerationReferBackOnce: an assessment referred back once is not offered for referral
// again, the page refuses it, and the journey's refusal (a race) shows in the error summary.
func TestModerationReferBackOnce(t *testing.T) {
	f := moderationFakes()
	st, _ := f.Temporal.Status("app-elm")
	st.Assessment.Moderation.ReferredBack = true
	st.Assessment.Moderation.Reasons = []string{"referred back by the moderator"}
	f.Temporal.SetStatus(st)
	e := newTestServer(t, mia, f)
	r := e.get("/moderate/app-elm")
	checkPage(t, r, http.StatusOK)
	if first(r.doc, func(n *html.Node) bool { return attr(n, "id") == "decision-refer_back" }) != nil {
		t.Error("refer back is offered again")
	}
	mustSay(t, r, "You have referred this assessment back once already", "You referred it back once and the assessor has sent it again")
	r = e.postForm("/moderate/app-elm", url.Values{"step": {"send"}, "decision": {"refer_back"}, "rationale": {"again"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "decision", "You have already referred this assessment back once: confirm or amend it")
	if len(f.Temporal.Sent(workflows.UpdateModerate)) != 0 {
		t.Fatal("sent a second refer-back")
	}

	// The journey refuses what the page did not know yet.
	f.Temporal.Refuse(workflows.UpdateModerate, appstest.Refusal(workflows.ErrWrongStage,
		"this assessment has already been referred back once: confirm or amend it"))
	r = e.postForm("/moderate/app-oak", url.Values{"step": {"send"}, "decision": {"refer_back"}, "rationale": {"again"}})
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "decision", "You have already referred this assessment back once")
	f.Temporal.Refuse(workflows.UpdateModerate, appstest.Refusal(workflows.ErrInvalid, "rationale: required to amend"))
	form := url.Values{"step": {"send"}, "decision": {"confirm"}}
	r = e.postForm("/moderate/app-oak", form)
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "rationale", "Enter your reasons: required to amend")
	f.Temporal.Refuse(workflows.UpdateModerate, appstest.Refusal(workflows.ErrWrongStage, "cannot moderate at stage awarded"))
	r = e.postForm("/moderate/app-oak", form)
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "", "Cannot moderate at stage awarded")
}
