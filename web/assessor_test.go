package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The assessor's pages (assessor*.go) over the fake journey. The framework is
// appstest.Framework: areas A–D, each with a standard from bronze (A1), one from silver (A2)
// and one from gold (A3); the applications here apply for Silver, so A1, A2, B1, B2, … are
// rated and A3, B3, … are not.

var (
	al = award.Person{ID: "p-al", TenantID: "north", Name: "Al Assessor", Email: "al@example.org",
		Roles: []string{award.RoleAssessor}, Active: true}
	ivy = award.Person{ID: "p-ivy", TenantID: "north", Name: "Ivy Assessor", Email: "ivy@example.org",
		Roles: []string{award.RoleAssessor}, Active: true}
	ola = award.Person{ID: "p-ola", TenantID: "east", Name: "Ola Other", Email: "ola@example.org",
		Roles: []string{award.RoleAssessor}, Active: true}
)

var (
	offerExpires = time.Date(2026, 9, 8, 9, 0, 0, 0, time.UTC)   // 8 September 2026, 10:00am in London
	dueSoon      = time.Now().Add(10 * 24 * time.Hour)           // an assessment not yet due
	duePast      = time.Date(2026, 1, 15, 17, 0, 0, 0, time.UTC) // an assessment overdue
)

// assessorFakes seeds Al's inbox:
//   - app-pine (Ann's Pine Primary): offered to Al, accept by offerExpires;
//   - app-fir (Fir Nursery): accepted, due long ago (overdue), with evidence: a PDF for A1 and
//     A2, a Word file for B1, a PNG for C1; nothing for the rest;
//   - app-ash (Ash Academy): accepted, due in ten days, with a draft;
//   - app-elm (Elm School): submitted, being moderated;
//   - a declined offer (Yew House), and a moderation of another application.
func assessorFakes(t *testing.T) *appstest.Fakes {
	t.Helper()
	f := appstest.New()
	for _, p := range []award.Person{al, ivy, ola} {
		f.Store.AddPerson(p)
	}
	add := func(id, name string, st workflows.Status) {
		st.TargetLevel = "silver"
		st.SubmittedAt = appstest.Ptr(day1)
		f.AddApplication(postgres.Application{ID: id, TenantID: "north", ApplicantID: ann.ID, SupporterID: sue.ID,
			SettingReference: "REF-" + id, SettingName: name, Track: "caring_schools", Variant: "primary"}, st)
		f.Store.Project(mustStatus(t, f, id))
		if st.Stage == workflows.StageOffered {
			// The journey's projection names the person offered it as its assessor (holder).
			row, _ := f.Store.Application(context.Background(), "north", id)
			row.AssessorID = st.Assessment.Offer.PersonID
			f.Store.PutApplication(row)
		}
	}
	add("app-pine", "Pine Primary", workflows.Status{Stage: workflows.StageOffered,
		Next:       workflows.NextStep{Action: "Al Assessor accepts or declines the offer to assess", DueAt: &offerExpires},
		Assessment: &workflows.Assessment{Offer: &workflows.Offer{PersonID: al.ID, Name: al.Name, AssignmentID: "as-pine", OfferedAt: day1, ExpiresAt: offerExpires}}})
	add("app-fir", "Fir Nursery", workflows.Status{Stage: workflows.StageAssessment,
		Next: workflows.NextStep{Action: "Al Assessor assesses the portfolio", DueAt: &duePast},
		Evidence: []activities.Evidence{
			evidenceOf("app-fir", "ev-1", "plan.pdf", "application/pdf", "A1", "A2"),
			evidenceOf("app-fir", "ev-2", "minutes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "B1"),
			evidenceOf("app-fir", "ev-3", "wall.png", "image/png", "C1"),
		},
		Assessment: &workflows.Assessment{AssessorID: al.ID, AssessorName: al.Name, AssignmentID: "as-fir", AcceptedAt: appstest.Ptr(day1), DueAt: &duePast}})
	add("app-ash", "Ash Academy", workflows.Status{Stage: workflows.StageAssessment,
		Next: workflows.NextStep{Action: "Al Assessor assesses the portfolio", DueAt: &dueSoon},
		Assessment: &workflows.Assessment{AssessorID: al.ID, AssessorName: al.Name, AssignmentID: "as-ash", AcceptedAt: appstest.Ptr(day1), DueAt: &dueSoon,
			Ratings:  map[string]award.Level{"A1": award.Silver, "B1": award.Bronze, "A2": award.NotMet},
			Feedback: "Strong leadership.\nMore on attendance, please.", VisitDate: "2026-10-05"}})
	add("app-elm", "Elm School", workflows.Status{Stage: workflows.StageModeration,
		Assessment: &workflows.Assessment{AssessorID: al.ID, AssessorName: al.Name, AssignmentID: "as-elm", AcceptedAt: appstest.Ptr(day1),
			AssessedAt: appstest.Ptr(day2), Recommended: award.Silver, Moderation: &workflows.Moderation{Required: true, Reasons: []string{"random sample"}}}})
	for _, a := range []postgres.Assignment{
		{ID: "as-pine", ApplicationID: "app-pine", SettingReference: "REF-app-pine", SettingName: "Pine Primary", PersonID: al.ID, Role: "assessor", State: "offered", OfferedAt: day1},
		{ID: "as-fir", ApplicationID: "app-fir", SettingReference: "REF-app-fir", SettingName: "Fir Nursery", PersonID: al.ID, Role: "assessor", State: "accepted", OfferedAt: day1, AcceptedAt: appstest.Ptr(day1)},
		{ID: "as-ash", ApplicationID: "app-ash", SettingReference: "REF-app-ash", SettingName: "Ash Academy", PersonID: al.ID, Role: "assessor", State: "accepted", OfferedAt: day1, AcceptedAt: appstest.Ptr(day1)},
		{ID: "as-elm", ApplicationID: "app-elm", SettingReference: "REF-app-elm", SettingName: "Elm School", PersonID: al.ID, Role: "assessor", State: "accepted", OfferedAt: day1, AcceptedAt: appstest.Ptr(day1)},
		{ID: "as-yew", ApplicationID: "app-yew", SettingReference: "REF-app-yew", SettingName: "Yew House", PersonID: al.ID, Role: "assessor", State: "declined", Reason: "I know the manager", OfferedAt: day1, ClosedAt: appstest.Ptr(day2)},
		{ID: "as-mod", ApplicationID: "app-oak", SettingReference: "URN-100", SettingName: "Oak Primary", PersonID: al.ID, Role: "moderator", State: "accepted", OfferedAt: day1},
	} {
		f.Store.AddAssignment("north", a)
	}
	return f
}

func mustStatus(t *testing.T, f *appstest.Fakes, id string) workflows.Status {
	t.Helper()
	st, ok := f.Temporal.Status(id)
	if !ok {
		t.Fatalf("no journey %s", id)
	}
	return st
}

func evidenceOf(app, id, filename, contentType string, standards ...string) activities.Evidence {
	return activities.Evidence{ID: id, ObjectKey: "tenants/north/applications/" + app + "/evidence/" + id, Filename: filename,
		ContentType: contentType, Size: 2 << 20, SHA256: strings.Repeat("b", 64), Standards: standards,
		State: activities.EvidenceConfirmed, CreatedAt: appstest.Time, ConfirmedAt: appstest.Ptr(appstest.Time), Immutable: true}
}

// card is the summary card whose title is title ("" if none).
func card(r response, title string) string {
	for _, c := range findAll(r.doc, hasClass("govuk-summary-card")) {
		if text(first(c, hasClass("govuk-summary-card__title"))) == title {
			return text(c)
		}
	}
	return ""
}

// TestAssessorInbox: offers with the date to accept by, assessments in progress with their due
// dates (the overdue one tagged), submitted ones, what finished, and moderations linked.
func TestAssessorInbox(t *testing.T) {
	e := newTestServer(t, al, assessorFakes(t))
	r := e.get("/assess")
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Assessments" {
		t.Fatalf("h1 %q", h)
	}
	pine := card(r, "Pine Primary")
	if !strings.Contains(pine, "Accept by 8 September 2026 at 10:00am") || !strings.Contains(pine, "Accept or decline") {
		t.Errorf("the offer's card: %q", pine)
	}
	if !hasLink(r, "/assess/app-pine/offer") {
		t.Error("no link to answer the offer")
	}
	fir, ash := card(r, "Fir Nursery"), card(r, "Ash Academy")
	if !strings.Contains(fir, "Due 15 January 2026 Overdue") {
		t.Errorf("the overdue assessment: %q", fir)
	}
	if !strings.Contains(ash, "Due "+formatDate(dueSoon)) || strings.Contains(ash, "Overdue") {
		t.Errorf("the assessment due soon: %q", ash)
	}
	tags := findAll(r.doc, func(n *htmlNode) bool { return hasClass("govuk-tag--red")(n) && text(n) == "Overdue" })
	if len(tags) != 1 {
		t.Errorf("want one red Overdue tag, got %d", len(tags))
	}
	m := mainText(r)
	if strings.Index(m, "Offers to answer") > strings.Index(m, "Pine Primary") ||
		strings.Index(m, "Pine Primary") > strings.Index(m, "Assessments in progress") ||
		strings.Index(m, "Fir Nursery") > strings.Index(m, "Ash Academy") {
		t.Errorf("order: offers, then in progress most urgent first:\n%s", firstLines(m, 80))
	}
	mustSay(t, r, "Submitted and being moderated", "Elm School", "You also have 1 moderation to do",
		"Finished in the last 90 days", "Yew House", "You declined the offer on 21 September 2026", "I know the manager")
	for _, href := range []string{"/assess/app-fir", "/assess/app-fir/score", "/assess/app-elm", "/moderate"} {
		if !hasLink(r, href) {
			t.Errorf("no link to %s", href)
		}
	}
}

// TestAssessorInboxEmpty says there is nothing to do.
func TestAssessorInboxEmpty(t *testing.T) {
	e := newTestServer(t, ivy, assessorFakes(t))
	r := e.get("/assess")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You have no offers to answer.", "You have no assessments in progress.")
	mustNotSay(t, r, "Pine Primary", "Fir Nursery", "Finished")
}

// TestInboxRefusedToApplicants: an applicant (or a supporter) has no inbox: the 403 page.
func TestInboxRefusedToApplicants(t *testing.T) {
	f := assessorFakes(t)
	for _, p := range []award.Person{ann, sue} {
		e := newTestServer(t, p, f)
		r := e.get("/assess")
		checkPage(t, r, http.StatusForbidden)
		if h := heading(r); h != "You cannot do this" {
			t.Fatalf("%s: h1 %q", p.Name, h)
		}
		mustSay(t, r, "Only assessors and moderators have offers and assessments")
	}
	e := newTestServer(t, award.Person{}, f)
	checkSignInFirst(t, e.get("/assess"), "/assess")
}

// TestAcceptOffer: the offer page shows the offer and the date to accept by; accepting sends
// the journey the assessor's answer and opens the portfolio with the due date.
func TestAcceptOffer(t *testing.T) {
	f := assessorFakes(t)
	f.Temporal.OnUpdate(workflows.UpdateAcceptOffer, func(st *workflows.Status, arg any) (any, error) {
		a := st.Assessment
		a.AssessorID, a.AssessorName, a.AssignmentID, a.Offer = al.ID, al.Name, "as-pine", nil
		a.AcceptedAt, a.DueAt = appstest.Ptr(day1), appstest.Ptr(day3)
		st.Stage = workflows.StageAssessment
		return nil, nil
	})
	e := newTestServer(t, al, f)
	r := e.get("/assess/app-pine/offer")
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Pine Primary" {
		t.Fatalf("h1 %q", h)
	}
	mustSay(t, r, "Offer to assess", "Reference REF-app-pine", "Caring Schools", "Offered 7 September 2026",
		"Accept by 8 September 2026 at 10:00am", "Accept the offer", "Decline the offer")
	if !hasLink(r, "/assess/app-pine/decline") {
		t.Error("no link to decline")
	}
	r = e.postForm("/assess/app-pine/offer", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/assess/app-pine" {
		t.Fatalf("accept: %d %q", r.status, r.header.Get("Location"))
	}
	sent := f.Temporal.Sent(workflows.UpdateAcceptOffer)
	if len(sent) != 1 || sent[0].Arg.(workflows.OfferReply).Actor.ID != al.ID {
		t.Fatalf("accept sent %+v", sent)
	}
	r = e.follow(r)
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You accepted the offer to assess Pine Primary. The assessment is due by 19 October 2026.", "Score the portfolio")
}

// TestAcceptRefused: the journey's refusal (the offer expired a moment ago) is shown on the
// offer page, or as its own page when the offer is gone.
func TestAcceptRefused(t *testing.T) {
	f := assessorFakes(t)
	f.Temporal.Refuse(workflows.UpdateAcceptOffer, appstest.Refusal(workflows.ErrWrongStage,
		`cannot answer an offer: the application is at stage "awaiting_allocation"`))
	e := newTestServer(t, al, f)
	r := e.postForm("/assess/app-pine/offer", nil)
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "", "Cannot answer an offer")
}

// TestOfferRefusals: the offer is only the assessor's it was made to: another assessor (and
// another council's) finds nothing, the applicant is refused, and the portfolio stays closed to
// the assessor offered it until they accept.
func TestOfferRefusals(t *testing.T) {
	f := assessorFakes(t)
	for _, p := range []award.Person{ivy, ola} {
		e := newTestServer(t, p, f)
		for _, path := range []string{"/assess/app-pine/offer", "/assess/app-pine/decline", "/assess/app-pine"} {
			checkNotFound(t, e.get(path), "Pine Primary")
		}
		checkNotFound(t, e.postForm("/assess/app-pine/offer", nil), "Pine Primary")
		checkNotFound(t, e.postForm("/assess/app-pine/decline", url.Values{"reason": {"busy"}, "confirm": {"yes"}}), "Pine Primary")
	}
	e := newTestServer(t, ann, f)
	r := e.get("/assess/app-pine/offer")
	checkPage(t, r, http.StatusForbidden)
	r = e.postForm("/assess/app-pine/offer", nil)
	checkPage(t, r, http.StatusForbidden)

	e = newTestServer(t, al, f)
	for _, path := range []string{"/assess/app-pine", "/assess/app-pine/score", "/assess/app-pine/check"} {
		r := e.get(path)
		checkPage(t, r, http.StatusForbidden)
		mustSay(t, r, "The portfolio opens to the assessor once they accept the offer")
	}
	if n := len(f.Temporal.Updates); n != 0 {
		t.Fatalf("updates sent: %+v", f.Temporal.Updates)
	}
}

// TestDeclineOffer: a reason is required, then "are you sure", then the journey is told.
func TestDeclineOffer(t *testing.T) {
	f := assessorFakes(t)
	e := newTestServer(t, al, f)
	r := e.get("/assess/app-pine/decline")
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Why are you declining this offer?" {
		t.Fatalf("h1 %q", h)
	}
	r = e.postForm("/assess/app-pine/decline", url.Values{"reason": {"  "}, "setting_name": {"Pine Primary"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "reason", "Enter why you are declining the offer")

	r = e.postForm("/assess/app-pine/decline", url.Values{"reason": {"I know the head teacher"}, "setting_name": {"Pine Primary"}})
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Are you sure you want to decline this offer?" {
		t.Fatalf("h1 %q", h)
	}
	mustSay(t, r, "I know the head teacher", "You cannot undo this", "Yes, decline the offer")
	if n := len(f.Temporal.Sent(workflows.UpdateDeclineOffer)); n != 0 {
		t.Fatal("declined before the confirmation")
	}

	r = e.postForm("/assess/app-pine/decline", url.Values{"reason": {"I know the head teacher"}, "confirm": {"yes"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/assess" {
		t.Fatalf("decline: %d %q", r.status, r.header.Get("Location"))
	}
	sent := f.Temporal.Sent(workflows.UpdateDeclineOffer)
	if len(sent) != 1 {
		t.Fatalf("decline sent %d times", len(sent))
	}
	if reply := sent[0].Arg.(workflows.OfferReply); reply.Actor.ID != al.ID || reply.Reason != "I know the head teacher" {
		t.Fatalf("decline sent %+v", reply)
	}
	r = e.follow(r)
	mustSay(t, r, "You declined the offer to assess Pine Primary. The award team will offer it to another assessor.")
}

// TestPortfolioViewer: the standards of the level applied for, each with its evidence (PDFs
// and images open in the browser, others download) and its descriptors.
func TestPortfolioViewer(t *testing.T) {
	e := newTestServer(t, al, assessorFakes(t))
	r := e.get("/assess/app-fir")
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Fir Nursery" {
		t.Fatalf("h1 %q", h)
	}
	mustSay(t, r, "Level applied for Silver", "Assessment due 15 January 2026 Overdue", "Evidence 3 files",
		"Score the portfolio", "4 standards apply only above Silver and are not assessed")
	section := func(code string) string {
		return text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "standard-"+code }))
	}
	if s := section("A1"); !strings.Contains(s, "plan.pdf") || !strings.Contains(s, "PDF, 2.0 MB, opens in your browser") ||
		!strings.Contains(s, "A1 at bronze") || !strings.Contains(s, "A1 at silver") || strings.Contains(s, "A1 at gold") {
		t.Errorf("A1: %q", s)
	}
	if s := section("B1"); !strings.Contains(s, "minutes.docx") || !strings.Contains(s, "downloads") {
		t.Errorf("B1: %q", s)
	}
	if s := section("D2"); !strings.Contains(s, "No evidence") || !strings.Contains(s, "Applies from Silver") {
		t.Errorf("D2: %q", s)
	}
	if section("A3") != "" {
		t.Error("a Gold-only standard is shown for a Silver application")
	}
	for _, href := range []string{"/assess/app-fir/evidence/ev-1", "/assess/app-fir/evidence/ev-2", "/assess/app-fir/evidence/ev-3", "/assess/app-fir/score"} {
		if !hasLink(r, href) {
			t.Errorf("no link to %s", href)
		}
	}
	// Submitted: the recommendation, no scoring.
	r = e.get("/assess/app-elm")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You submitted this assessment on 21 September 2026, recommending Silver", "It is being moderated.")
	if hasLink(r, "/assess/app-elm/score") {
		t.Error("a submitted assessment links the scoring form")
	}
	if r := e.get("/assess/app-elm/score"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/assess/app-elm" {
		t.Errorf("scoring a submitted assessment: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestEvidenceOpens: a file opens through a short-lived link: in the browser for a PDF or an
// image, as a download otherwise.
func TestEvidenceOpens(t *testing.T) {
	f := assessorFakes(t)
	e := newTestServer(t, al, f)
	for id, want := range map[string]string{
		"ev-1": appstest.URL + "/tenants/north/applications/app-fir/evidence/ev-1?view=plan.pdf",
		"ev-3": appstest.URL + "/tenants/north/applications/app-fir/evidence/ev-3?view=wall.png",
		"ev-2": appstest.URL + "/tenants/north/applications/app-fir/evidence/ev-2?download=minutes.docx",
	} {
		r := e.get("/assess/app-fir/evidence/" + id)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("%s: %d %q, want %q", id, r.status, r.header.Get("Location"), want)
		}
	}
	checkNotFound(t, e.get("/assess/app-fir/evidence/ev-9"))
	// Before accepting: refused in words.
	r := e.get("/assess/app-pine/evidence/ev-1")
	checkPage(t, r, http.StatusForbidden)
	mustSay(t, r, "The portfolio opens to the assessor once they accept the offer")
	// Another assessor: nothing.
	e = newTestServer(t, ivy, f)
	checkNotFound(t, e.get("/assess/app-fir/evidence/ev-1"), "plan.pdf")
}

// TestScoreFormPrefilledFromDraft: the form shows the journey's draft (ratings, feedback, visit
// date), each level's descriptor beside its radio, the recommended level from the draft, and
// what each level needs for assess.js.
func TestScoreFormPrefilledFromDraft(t *testing.T) {
	e := newTestServer(t, al, assessorFakes(t))
	r := e.get("/assess/app-ash/score")
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Score the portfolio" {
		t.Fatalf("h1 %q", h)
	}
	checked := map[string]string{}
	for _, in := range findAll(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "type") == "radio" }) {
		for _, a := range in.Attr {
			if a.Key == "checked" {
				checked[attr(in, "name")] = attr(in, "value")
			}
		}
	}
	want := map[string]string{"rating-A1": "silver", "rating-B1": "bronze", "rating-A2": "not_met"}
	if len(checked) != len(want) {
		t.Errorf("checked %v, want %v", checked, want)
	}
	for k, v := range want {
		if checked[k] != v {
			t.Errorf("%s checked %q, want %q", k, checked[k], v)
		}
	}
	if n := len(findAll(r.doc, func(n *htmlNode) bool { return attr(n, "name") == "rating-A3" })); n != 0 {
		t.Error("a Gold-only standard is rated for a Silver application")
	}
	hint := text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "rating-A2-silver-hint" }))
	if hint != "A2 at silver" {
		t.Errorf("A2's silver descriptor: %q", hint)
	}
	if hint := text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "rating-A2-bronze-hint" })); !strings.Contains(hint, "applies from Silver") {
		t.Errorf("A2's bronze hint: %q", hint)
	}
	fb := first(r.doc, func(n *htmlNode) bool { return n.Data == "textarea" && attr(n, "name") == "feedback" })
	if got := rawText(fb); got != "Strong leadership.\nMore on attendance, please." {
		t.Errorf("feedback %q", got)
	}
	for name, v := range map[string]string{"visit_date-day": "5", "visit_date-month": "10", "visit_date-year": "2026"} {
		in := first(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == name })
		if in == nil || attr(in, "value") != v {
			t.Errorf("%s: want %q", name, v)
		}
	}
	if rec := text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "recommended" })); rec != "Not yet (below Bronze)" {
		t.Errorf("recommended %q", rec)
	}
	form := first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "score-form" })
	for k, v := range map[string]string{"data-autosave": "/v1/applications/app-ash/assessment", "data-target": "2",
		"data-needs-bronze": "A1 B1 C1 D1", "data-needs-silver": "A1 A2 B1 B2 C1 C2 D1 D2", "data-needs-gold": "",
		"data-visit-date": "2026-10-05", "action": "/assess/app-ash/score", "method": "post"} {
		if got := attr(form, k); got != v {
			t.Errorf("form %s=%q, want %q", k, got, v)
		}
	}
	mustSay(t, r, "Save and come back later", "Continue", "Recommended level")
	if first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "draft-status" && attr(n, "aria-live") == "polite" }) == nil {
		t.Error("no live region for the draft's status")
	}
}

// TestScoreSave: "Save and come back later" saves the draft and goes to the inbox; "Continue"
// saves it and goes to check it; the recommended level on the form follows what was saved.
func TestScoreSave(t *testing.T) {
	f := assessorFakes(t)
	f.Temporal.OnUpdate(workflows.UpdateSaveRatings, saveDraft)
	e := newTestServer(t, al, f)
	form := url.Values{"rating-A1": {"silver"}, "rating-A2": {"silver"}, "rating-B1": {"silver"}, "rating-B2": {"gold"},
		"rating-C1": {"bronze"}, "rating-C2": {""}, "feedback": {"  Good work.  "}, "visit_date-day": {"3"},
		"visit_date-month": {"11"}, "visit_date-year": {"2026"}, "action": {"save"}}
	r := e.postForm("/assess/app-fir/score", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/assess" {
		t.Fatalf("save: %d %q", r.status, r.header.Get("Location"))
	}
	sent := f.Temporal.Sent(workflows.UpdateSaveRatings)
	if len(sent) != 1 {
		t.Fatalf("saved %d times", len(sent))
	}
	req := sent[0].Arg.(workflows.RatingsRequest)
	if req.Actor.ID != al.ID || req.Feedback != "Good work." || req.VisitDate != "2026-11-03" || len(req.Ratings) != 5 ||
		req.Ratings["B2"] != award.Gold || req.Ratings["C1"] != award.Bronze {
		t.Fatalf("saved %+v", req)
	}
	mustSay(t, e.follow(r), "Your draft assessment of Fir Nursery is saved.")

	r = e.get("/assess/app-fir/score")
	if rec := text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "recommended" })); rec != "Not yet (below Bronze)" {
		t.Errorf("recommended with D1 unrated: %q", rec)
	}
	form.Set("rating-D1", "silver")
	form.Set("rating-C2", "silver")
	form.Set("rating-D2", "silver")
	form.Set("rating-C1", "silver")
	form.Set("action", "continue")
	r = e.postForm("/assess/app-fir/score", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/assess/app-fir/check" {
		t.Fatalf("continue: %d %q", r.status, r.header.Get("Location"))
	}
	r = e.get("/assess/app-fir/score")
	if rec := text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "recommended" })); rec != "Silver" {
		t.Errorf("recommended with all rated silver: %q", rec)
	}
}

// saveDraft is the journey keeping a draft (workflows' saveRatings).
func saveDraft(st *workflows.Status, arg any) (any, error) {
	r := arg.(workflows.RatingsRequest)
	st.Assessment.Ratings, st.Assessment.Feedback, st.Assessment.VisitDate = r.Ratings, r.Feedback, r.VisitDate
	return nil, nil
}

// TestScoreRefusals: a visit date that is not a date is refused beside it with nothing sent;
// the journey's refusal is shown with what was typed kept.
func TestScoreRefusals(t *testing.T) {
	f := assessorFakes(t)
	e := newTestServer(t, al, f)
	r := e.postForm("/assess/app-fir/score", url.Values{"rating-A1": {"gold"}, "feedback": {"Typed"},
		"visit_date-day": {"31"}, "visit_date-month": {"2"}, "visit_date-year": {"2026"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "visit_date", "The visit date must be a real date")
	if n := len(f.Temporal.Sent(workflows.UpdateSaveRatings)); n != 0 {
		t.Fatal("saved a draft with a bad date")
	}
	if in := first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "rating-A1-gold" }); in == nil || !hasAttr(in, "checked") {
		t.Error("the rating typed is not kept")
	}
	f.Temporal.Refuse(workflows.UpdateSaveRatings, appstest.Refusal(workflows.ErrWrongStage,
		`cannot score the assessment: the application is at stage "moderation"`))
	r = e.postForm("/assess/app-fir/score", url.Values{"rating-A1": {"gold"}})
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "", "This assessment can no longer be changed")
}

func hasAttr(n *htmlNode, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// TestAssessmentCheckPage: the ratings per standard, feedback, visit date and the recommended
// level, each with a Change link to its place on the form.
func TestAssessmentCheckPage(t *testing.T) {
	e := newTestServer(t, al, assessorFakes(t))
	r := e.get("/assess/app-ash/check")
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Check your assessment before you submit it" {
		t.Fatalf("h1 %q", h)
	}
	row := func(id string) string {
		return text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == id }))
	}
	if s := row("rating-A1"); !strings.Contains(s, "A1 Standard A1 Silver Change") {
		t.Errorf("A1 row %q", s)
	}
	if s := row("rating-A2"); !strings.Contains(s, "Not met") {
		t.Errorf("A2 row %q", s)
	}
	if s := row("rating-C1"); !strings.Contains(s, "Not rated") {
		t.Errorf("C1 row %q", s)
	}
	if s := row("feedback"); !strings.Contains(s, "Strong leadership. More on attendance, please.") {
		t.Errorf("feedback row %q", s)
	}
	if s := row("visit_date"); !strings.Contains(s, "5 October 2026") {
		t.Errorf("visit row %q", s)
	}
	mustSay(t, r, "Level applied for Silver", "Recommended level Not yet (below Bronze)", "Submit assessment")
	for _, href := range []string{"/assess/app-ash/score#standard-A1", "/assess/app-ash/score#feedback", "/assess/app-ash/score#visit_date"} {
		if !hasLink(r, href) {
			t.Errorf("no Change link to %s", href)
		}
	}
}

// TestSubmitAssessmentRefused: submitting with standards unrated is refused by the journey;
// the check page lists each, naming it and linking to its row.
func TestSubmitAssessmentRefused(t *testing.T) {
	f := assessorFakes(t)
	f.Temporal.Refuse(workflows.UpdateSubmitAssess, appstest.Refusal(workflows.ErrInvalid,
		"ratings: every standard must be rated; missing: B2, C1, C2, D1, D2", []string{"B2", "C1", "C2", "D1", "D2"}))
	e := newTestServer(t, al, f)
	r := e.postForm("/assess/app-ash/submit", nil)
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "rating-C1", "Rate C1 Standard C1")
	checkErrorSummary(t, r, "rating-D2", "Rate D2 Standard D2")
	if n := len(errorSummary(r)); n != 5 {
		t.Errorf("want 5 errors, got %d", n)
	}
	sent := f.Temporal.Sent(workflows.UpdateSubmitAssess)
	if len(sent) != 1 {
		t.Fatalf("submitted %d times", len(sent))
	}
	// What is submitted is the saved draft.
	if req := sent[0].Arg.(workflows.RatingsRequest); req.Ratings["A1"] != award.Silver || req.VisitDate != "2026-10-05" ||
		!strings.HasPrefix(req.Feedback, "Strong leadership.") {
		t.Errorf("submitted %+v", req)
	}
	f.Temporal.Refuse(workflows.UpdateSubmitAssess, appstest.Refusal(workflows.ErrInvalid, "feedback: required"))
	r = e.postForm("/assess/app-ash/submit", nil)
	checkErrorSummary(t, r, "feedback", "Enter your feedback for the applicant")
}

// TestSubmitAssessment: the confirmation panel with the recommended level and why a moderator
// will review it, from what the submission answered.
func TestSubmitAssessment(t *testing.T) {
	f := assessorFakes(t)
	f.Temporal.OnUpdate(workflows.UpdateSubmitAssess, func(st *workflows.Status, arg any) (any, error) {
		a := st.Assessment
		a.Recommended, a.AssessedAt = award.Bronze, appstest.Ptr(day2)
		a.Moderation = &workflows.Moderation{Required: true, Reasons: []string{"assessor's first 3 assessments (this is number 1)",
			"recommendation (Bronze) differs from the target (Silver)"}}
		st.Stage = workflows.StageModeration
		return nil, nil
	})
	e := newTestServer(t, al, f)
	r := e.postForm("/assess/app-ash/submit", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/assess/app-ash/submitted" {
		t.Fatalf("submit: %d %q", r.status, r.header.Get("Location"))
	}
	// The journey decided at once and the assessor no longer holds it: the page still shows.
	f.Temporal.OnUpdate(workflows.UpdateSubmitAssess, nil)
	r = e.follow(r)
	checkPage(t, r, http.StatusOK)
	if h := heading(r); h != "Assessment submitted" {
		t.Fatalf("h1 %q", h)
	}
	mustSay(t, r, "Ash Academy", "Recommended level: Bronze", "it is one of your first assessments",
		"your recommendation differs from the level applied for")
	// Another application's confirmation is not this one's.
	if r := e.get("/assess/app-fir/submitted"); r.status != http.StatusSeeOther {
		t.Errorf("another confirmation: %d", r.status)
	}
	// The check page of a submitted assessment goes to the portfolio.
	if r := e.get("/assess/app-ash/check"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/assess/app-ash" {
		t.Errorf("check after submitting: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestSomeoneElsesApplication: another assessor, another council's, and the applicant (who may
// read their application but not hold it) get nothing of the assessment pages, and nothing is
// sent.
func TestSomeoneElsesApplication(t *testing.T) {
	f := assessorFakes(t)
	paths := []string{"/assess/app-fir", "/assess/app-fir/score", "/assess/app-fir/check", "/assess/app-fir/offer"}
	for _, p := range []award.Person{ivy, ola} {
		e := newTestServer(t, p, f)
		for _, path := range paths {
			checkNotFound(t, e.get(path), "Fir Nursery")
		}
		checkNotFound(t, e.postForm("/assess/app-fir/score", url.Values{"rating-A1": {"gold"}}), "Fir Nursery")
		checkNotFound(t, e.postForm("/assess/app-fir/submit", nil), "Fir Nursery")
	}
	e := newTestServer(t, ann, f)
	for _, path := range paths {
		r := e.get(path)
		checkPage(t, r, http.StatusForbidden)
	}
	if n := len(f.Temporal.Updates); n != 0 {
		t.Fatalf("updates sent: %+v", f.Temporal.Updates)
	}
	checkNotFound(t, newTestServer(t, al, f).get("/assess/app-none"))
}

// TestAssessorPagesSignedOut: each page sends to sign in, remembering it.
func TestAssessorPagesSignedOut(t *testing.T) {
	e := newTestServer(t, award.Person{}, assessorFakes(t))
	for _, p := range []string{"/assess", "/assess/app-pine/offer", "/assess/app-fir", "/assess/app-fir/score", "/assess/app-fir/check"} {
		checkSignInFirst(t, e.get(p), p)
	}
}

func init() {
	for name, data := range map[string]any{
		"assessor/inbox":           inboxData{},
		"assessor/offer":           offerData{},
		"assessor/decline":         declineData{},
		"assessor/decline-confirm": declineData{},
		"assessor/portfolio":       portfolioData{},
		"assessor/score":           scoreData{},
		"assessor/check":           assessmentCheckData{},
		"assessor/submitted":       submittedInfo{},
		// The one-click offer link's pages (offerlink.go; offerlink_test.go tests them).
		"assessor/offer-link":                 offerLinkData{},
		"assessor/offer-link-decline":         offerLinkData{},
		"assessor/offer-link-decline-confirm": offerLinkData{},
		"assessor/offer-link-done":            offerLinkData{},
		"assessor/offer-link-refused":         offerLinkData{},
	} {
		zeroData[name] = data
	}
}

// TestOfferSummaryPartial: the offer summary renders as the one-click offer page calls it
// (every assessor page renders with zero data in pages_test.go's TestEveryTemplateParses).
func TestOfferSummaryPartial(t *testing.T) {
	// The offer summary partial, as the one-click offer page calls it.
	var buf bytes.Buffer
	o := applications.Offer{Assignment: structs.Assignment{State: "offered", OfferedAt: day1},
		Application: structs.ApplicationSummary{SettingName: "Pine", Stage: "offered", DueAt: &offerExpires, Track: "caring_schools"}}
	if err := pages()["assessor/offer"].ExecuteTemplate(&buf, "offer-summary", offerSummaryOf(o.Assignment, o.Application)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "8 September 2026 at 10:00am") {
		t.Errorf("offer summary: %s", buf.String())
	}
}
