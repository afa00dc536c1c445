package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/journeys"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// The application's own pages (application.go, register.go, toolkit.go, submit.go,
// decision.go) over the fake journey: the framework is appstest.Framework (areas A–D, each with
// a standard from bronze, one from silver and one from gold), so bronze needs A1, B1, C1, D1.

var (
	day1 = time.Date(2026, 9, 7, 10, 0, 0, 0, time.UTC)   // 7 September 2026
	day2 = time.Date(2026, 9, 21, 10, 0, 0, 0, time.UTC)  // 21 September 2026
	day3 = time.Date(2026, 10, 19, 10, 0, 0, 0, time.UTC) // 19 October 2026
	day4 = time.Date(2027, 1, 11, 10, 0, 0, 0, time.UTC)  // 11 January 2027
	exp  = time.Date(2029, 9, 30, 10, 0, 0, 0, time.UTC)  // 30 September 2029
)

func evidence(id, state string, standards ...string) activities.Evidence {
	return activities.Evidence{ID: id, ObjectKey: "tenants/north/applications/app-oak/evidence/" + id, Filename: id + ".pdf",
		ContentType: "application/pdf", Size: 1000, SHA256: strings.Repeat("a", 64), Standards: standards, State: state,
		CreatedAt: appstest.Time}
}

// oakAt seeds Ann's Oak Primary (supported by Sue) at a stage with its evidence.
func oakAt(f *appstest.Fakes, st workflows.Status) {
	f.AddApplication(postgres.Application{ID: "app-oak", TenantID: "north", ApplicantID: ann.ID, SupporterID: sue.ID,
		SettingReference: "URN-100", SettingName: "Oak Primary", Track: "caring_schools", Variant: "primary"}, st)
}

// taskStatus is the status cell of a standard's task-list row.
func taskStatus(t *testing.T, r response, code string) string {
	t.Helper()
	n := first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "standard-"+code+"-status" })
	if n == nil {
		t.Fatalf("no task-list row for %s", code)
	}
	return text(n)
}

func taskHint(t *testing.T, r response, code string) string {
	t.Helper()
	return text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "standard-"+code+"-hint" }))
}

// TestApplicationTaskList: before submission the application's page is a task list: the
// toolkit, one row per standard with its evidence count and status (missing for the target
// level, not needed, upload not finished), and submit only once nothing is missing.
func TestApplicationTaskList(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, ToolkitOpenedAt: appstest.Ptr(day1),
		Next:     workflows.NextStep{Action: "upload evidence and submit", DueAt: &due},
		Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1"), evidence("ev-2", award.EvidenceConfirmed, "A1"), evidence("ev-3", award.EvidencePending, "C1")}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Oak Primary" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Gathering evidence", "upload evidence and submit", "15 October 2026", "URN-100",
		"You need evidence for 2 more standards to apply for Bronze", "1 upload is not finished")
	if got := taskHint(t, r, "A1"); !strings.Contains(got, "2 pieces of evidence") {
		t.Errorf("A1 hint %q", got)
	}
	if got := taskHint(t, r, "B1"); !strings.Contains(got, "1 piece of evidence") {
		t.Errorf("B1 hint %q", got)
	}
	for code, want := range map[string]string{"A1": "Completed", "B1": "Completed", "C1": "Incomplete", "D1": "Incomplete",
		"A2": "Not needed for Bronze", "D3": "Not needed for Bronze"} {
		if got := taskStatus(t, r, code); got != want {
			t.Errorf("%s: status %q, want %q", code, got, want)
		}
	}
	if got := taskHint(t, r, "A2"); !strings.Contains(got, "needed from Silver") {
		t.Errorf("A2 hint %q", got)
	}
	for _, href := range []string{"/applications/app-oak/toolkit", "/applications/app-oak/evidence", "/applications/app-oak/withdraw",
		"/applications/app-oak?level=silver", "/applications/app-oak?level=gold"} {
		if !hasLink(r, href) {
			t.Errorf("no link to %s", href)
		}
	}
	if text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "toolkit-status" })) != "Completed" {
		t.Error("the toolkit, opened, is not Completed")
	}
	if hasLink(r, "/applications/app-oak/check?level=bronze") {
		t.Error("submit offered with standards missing")
	}
	mustSay(t, r, "Add evidence for every standard marked Incomplete first")

	// Another level's view counts that level's standards.
	r = e.get("/applications/app-oak?level=silver")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You need evidence for 6 more standards to apply for Silver")
	if got := taskStatus(t, r, "A2"); got != "Incomplete" {
		t.Errorf("A2 for silver: %q", got)
	}
}

// TestApplicationReadyToSubmit: with every bronze standard covered, the task list offers
// "Check and submit".
func TestApplicationReadyToSubmit(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio,
		Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1", "C1", "D1")}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Every standard needed for Bronze has evidence")
	if !hasLink(r, "/applications/app-oak/check?level=bronze") {
		t.Errorf("no Check and submit link: %v", links(r))
	}
	if text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "toolkit-status" })) == "Completed" {
		t.Error("the toolkit, never opened, is Completed")
	}
}

// TestAnotherPersonsApplicationIsNotFound: another applicant's application, another council's,
// and one that does not exist are the same "Page not found", on every page of an application,
// and nothing is sent to the journey.
func TestAnotherPersonsApplicationIsNotFound(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1")}})
	eveHere := eve
	eveHere.ID = ann.ID // Ann's id, in another council
	for _, c := range []struct {
		who string
		me  award.Person
		id  string
	}{{"another applicant", bob, "app-oak"}, {"another council", eveHere, "app-oak"}, {"no such application", ann, "app-none"}} {
		t.Run(c.who, func(t *testing.T) {
			e := newTestServer(t, c.me, f)
			for _, p := range []string{"", "/toolkit", "/check", "/submitted", "/withdraw", "/withdrawn", "/reapply", "/certificate"} {
				checkNotFound(t, e.get("/applications/"+c.id+p), "Oak Primary", "URN-100")
			}
			for _, p := range []struct {
				path string
				form url.Values
			}{
				{"/submit", url.Values{"target_level": {"bronze"}}},
				{"/withdraw", url.Values{"reason": {"moving on"}, "confirm": {"yes"}}},
				{"/reapply", url.Values{"carry_forward": {"yes"}}},
			} {
				checkNotFound(t, e.postForm("/applications/"+c.id+p.path, p.form), "Oak Primary")
			}
			if len(f.Temporal.Updates) != 0 {
				t.Fatalf("updates sent: %+v", f.Temporal.Updates)
			}
		})
	}
}

// TestSupporterSeesApplicationReadOnly: the supporter may follow the application on its page,
// without any link that changes it, and the journey refuses their changes as not found.
func TestSupporterSeesApplicationReadOnly(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1")}})
	e := newTestServer(t, sue, f)
	r := e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Oak Primary", "Only its applicant can change it", "Gathering evidence")
	for _, href := range []string{"/applications/app-oak/withdraw", "/applications/app-oak/toolkit", "/applications/app-oak/evidence"} {
		if hasLink(r, href) {
			t.Errorf("the supporter is offered %s", href)
		}
	}
	if first(r.doc, func(n *htmlNode) bool {
		return n.Data == "form" && strings.HasPrefix(attr(n, "action"), "/applications/")
	}) != nil {
		t.Error("a form that changes the application")
	}
	// The supporter knows the application: changing it is refused as such (403), not hidden.
	for _, r := range []response{e.postForm("/applications/app-oak/withdraw", url.Values{"reason": {"x"}, "confirm": {"yes"}}),
		e.postForm("/applications/app-oak/submit", url.Values{"target_level": {"bronze"}})} {
		checkPage(t, r, http.StatusForbidden)
		mustSay(t, r, "You cannot do this", "Supporters can follow an application but not change it")
	}
	if len(f.Temporal.Updates) != 0 {
		t.Fatalf("updates sent: %+v", f.Temporal.Updates)
	}
}

// TestApplicationBeingSetUp: an application whose journey has not started yet (and cannot be
// started just now) says it is being set up, with Retry-After, not "not found".
func TestApplicationBeingSetUp(t *testing.T) {
	f := appstest.New()
	f.Store.PutApplication(postgres.Application{ID: "app-new", TenantID: "north", ApplicantID: ann.ID, SettingReference: "URN-9",
		SettingName: "New School", Track: "caring_schools", Variant: "primary", FrameworkID: "fw-primary", FrameworkVersion: 1,
		Stage: "toolkit", Active: true})
	in, _ := journeys.EncodeInput(workflows.ApplicationInput{ApplicationID: "app-new", TenantID: "north"})
	f.Store.OweJourney("app-new", in)
	f.Temporal.LaunchErr = serviceerror.NewUnavailable("temporal down")
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-new")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Your application is being set up" || r.header.Get("Retry-After") == "" {
		t.Fatalf("h1 %q, Retry-After %q", heading(r), r.header.Get("Retry-After"))
	}
	if !hasLink(r, "/applications/app-new") {
		t.Error("no link to look again")
	}
}

// TestRegister: the form, every blank field named at once, a registration that goes to its
// new application with a notice, and the refusals of the database in the form's words.
func TestRegister(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio})
	e := newTestServer(t, ann, f)

	// The award is asked first, on its own (a GET form: no JavaScript needed).
	r := e.get("/applications/new")
	checkPage(t, r, http.StatusOK)
	if first(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "track" }) == nil {
		t.Fatalf("no award question: %s", firstLines(mainText(r), 30))
	}
	r = e.get("/applications/new?step=track")
	checkPage(t, r, http.StatusOK)
	checkErrorSummary(t, r, "track", "Select the award")

	// Then the setting's questions.
	r = e.get("/applications/new?track=caring_schools")
	checkPage(t, r, http.StatusOK)
	if first(r.doc, func(n *htmlNode) bool {
		return n.Data == "form" && attr(n, "action") == "/applications/new" && attr(n, "method") == "post"
	}) == nil {
		t.Fatalf("no registration form: %s", firstLines(mainText(r), 30))
	}
	for _, name := range []string{"variant", "setting_name", "setting_reference", "supporter_email"} {
		if first(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == name }) == nil {
			t.Errorf("no %s input", name)
		}
	}
	if first(r.doc, func(n *htmlNode) bool { return attr(n, "name") == "applicant_email" }) != nil {
		t.Error("an applicant is asked for someone else's address")
	}

	r = e.postForm("/applications/new", url.Values{})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "track", "Select the award")
	r = e.postForm("/applications/new", url.Values{"track": {"caring_schools"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "variant", "Select what kind of setting")
	checkErrorSummary(t, r, "setting_name", "Enter the name")
	checkErrorSummary(t, r, "setting_reference", "Enter the setting's reference")

	// The same setting again: refused, naming the application in progress.
	dup := url.Values{"track": {"caring_schools"}, "variant": {"primary"}, "setting_name": {"Oak Primary"}, "setting_reference": {"URN-100"}}
	r = e.postForm("/applications/new", dup)
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "setting_reference", "already has an application in progress")
	if !hasLink(r, "/applications/app-oak") {
		t.Errorf("the application in progress is not linked: %v", links(r))
	}
	if v := attr(first(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "setting_name" }), "value"); v != "Oak Primary" {
		t.Errorf("what was typed is lost: %q", v)
	}

	// An unknown supporter is named beside its field.
	r = e.postForm("/applications/new", url.Values{"track": {"caring_schools"}, "variant": {"primary"}, "setting_name": {"Ash"},
		"setting_reference": {"URN-5"}, "supporter_email": {"nobody@example.org"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "supporter_email", "no supporter with this email address")

	// A first-year foster carer's approval date must be a real date.
	r = e.postForm("/applications/new", url.Values{"track": {"learning_homes"}, "variant": {"first_year_foster"}, "setting_name": {"The Ash household"},
		"setting_reference": {"FH-1"}, "approval_date-day": {"31"}, "approval_date-month": {"2"}, "approval_date-year": {"2026"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "approval_date", "must be a real date")

	// A good registration goes to its application, which says so once.
	r = e.postForm("/applications/new", url.Values{"track": {"caring_schools"}, "variant": {"secondary"}, "setting_name": {"Ash Academy"},
		"setting_reference": {"URN-500"}, "supporter_email": {"sue@example.org"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/applications/app") {
		t.Fatalf("register: %d %q %s", r.status, r.header.Get("Location"), firstLines(text(r.doc), 40))
	}
	if len(f.Store.Registered) != 1 || f.Store.Registered[0].SupporterID != sue.ID || f.Store.Registered[0].ApplicantID != ann.ID {
		t.Fatalf("registered %+v", f.Store.Registered)
	}
	page := e.follow(r)
	checkPage(t, page, http.StatusOK)
	if heading(page) != "Ash Academy" {
		t.Fatalf("h1 %q", heading(page))
	}
	banner := first(page.doc, hasClass("govuk-notification-banner"))
	if !strings.Contains(text(banner), "You have registered Ash Academy") {
		t.Errorf("notice %q", text(banner))
	}
	if again := e.get(r.header.Get("Location")); first(again.doc, hasClass("govuk-notification-banner")) != nil {
		t.Error("the notice shows twice")
	}
}

// TestRegisterSettingOfAnotherApplicant: a setting registered to someone else is refused
// beside the reference, without saying whose it is.
func TestRegisterSettingOfAnotherApplicant(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StageWithdrawn})
	e := newTestServer(t, bob, f)
	r := e.postForm("/applications/new", url.Values{"track": {"caring_schools"}, "variant": {"primary"}, "setting_name": {"Oak"},
		"setting_reference": {"URN-100"}})
	checkPage(t, r, http.StatusForbidden)
	checkErrorSummary(t, r, "setting_reference", "registered to another applicant")
	mustNotSay(t, r, ann.Name)
}

// TestToolkit: opening the toolkit is recorded in the journey and lists its documents with
// short-lived links straight to storage.
func TestToolkit(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StageToolkit})
	f.Store.AddToolkitDocument(postgres.ToolkitDocument{Variant: "primary", Filename: "workbook.docx", Title: "Workbook",
		ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ObjectKey: "toolkit/primary/workbook.docx"})
	f.Store.AddToolkitDocument(postgres.ToolkitDocument{Variant: "primary", Filename: "guide.pdf", Title: "Guidance",
		ContentType: "application/pdf", ObjectKey: "toolkit/primary/guide.pdf"})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/toolkit")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Toolkit" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Workbook", "Word document, workbook.docx", "Guidance", "PDF, guide.pdf")
	if !hasLink(r, appstest.URL+"/toolkit/primary/guide.pdf?download=guide.pdf") {
		t.Errorf("no download link: %v", links(r))
	}
	if sent := f.Temporal.Sent(workflows.UpdateOpenToolkit); len(sent) != 1 {
		t.Fatalf("the opening was not recorded: %+v", sent)
	}
	r = e.get("/applications/app-oak")
	if got := text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "toolkit-status" })); got != "Completed" {
		t.Errorf("toolkit status after opening: %q", got)
	}
}

// TestCheckAndSubmit: the check page, a level to choose, a refusal for missing evidence naming
// each standard (linked to its row), and the confirmation panel with the reference.
func TestCheckAndSubmit(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio,
		Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1", "C1", "D1")}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/check?level=bronze")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Check your application before you submit it" {
		t.Fatalf("h1 %q", heading(r))
	}
	radios := findAll(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "target_level" })
	if len(radios) != 3 {
		t.Fatalf("want 3 levels, got %d", len(radios))
	}
	mustSay(t, r, "ev-1.pdf", "Needs evidence for 4 standards: all have evidence")
	if form := first(r.doc, func(n *htmlNode) bool { return n.Data == "form" && attr(n, "action") == "/applications/app-oak/submit" }); form == nil ||
		first(form, func(n *htmlNode) bool { return attr(n, "name") == "target_level" }) == nil {
		t.Error("no form posting the level to /applications/app-oak/submit")
	}

	r = e.postForm("/applications/app-oak/submit", url.Values{})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "target_level", "Select the level")

	r = e.postForm("/applications/app-oak/submit", url.Values{"target_level": {"silver"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	for _, code := range []string{"A2", "B2", "C2", "D2"} {
		checkErrorSummary(t, r, "standard-"+code, "Add evidence for "+code+" Standard "+code+" before you submit for Silver")
	}
	if st, _ := f.Temporal.Status("app-oak"); st.SubmittedAt != nil {
		t.Fatal("submitted despite the refusal")
	}

	r = e.postForm("/applications/app-oak/submit", url.Values{"target_level": {"bronze"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/app-oak/submitted" {
		t.Fatalf("submit: %d %q %s", r.status, r.header.Get("Location"), firstLines(text(r.doc), 40))
	}
	sent := f.Temporal.Sent(workflows.UpdateSubmit)
	if last := sent[len(sent)-1].Arg.(workflows.SubmitRequest); last.TargetLevel != award.Bronze || last.Actor.ID != ann.ID {
		t.Fatalf("submitted %+v", last)
	}
	r = e.follow(r)
	checkPage(t, r, http.StatusOK)
	panel := first(r.doc, hasClass("govuk-panel--confirmation"))
	if panel == nil || !strings.Contains(text(panel), "Application submitted") || !strings.Contains(text(panel), "app-oak") {
		t.Fatalf("confirmation panel: %q", text(panel))
	}
	mustSay(t, r, "What happens next", "Bronze")

	// Submitted, the check page has nothing to check.
	if r := e.get("/applications/app-oak/check"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/app-oak" {
		t.Errorf("check after submission: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestWithdraw: a reason is required, then a confirmation page, then the withdrawal with its
// confirmation panel.
func TestWithdraw(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/withdraw")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Why are you withdrawing this application?" {
		t.Fatalf("h1 %q", heading(r))
	}

	r = e.postForm("/applications/app-oak/withdraw", url.Values{"reason": {"   "}, "confirm": {"yes"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "reason", "Enter why you are withdrawing")
	if len(f.Temporal.Updates) != 0 {
		t.Fatal("withdrawn without a reason")
	}

	r = e.postForm("/applications/app-oak/withdraw", url.Values{"reason": {"We are merging with another school"}})
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Are you sure you want to withdraw this application?" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "We are merging with another school", "You cannot undo this")
	if len(f.Temporal.Updates) != 0 {
		t.Fatal("withdrawn before it was confirmed")
	}

	r = e.postForm("/applications/app-oak/withdraw", url.Values{"reason": {"We are merging with another school"}, "confirm": {"yes"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/app-oak/withdrawn" {
		t.Fatalf("withdraw: %d %q", r.status, r.header.Get("Location"))
	}
	sent := f.Temporal.Sent(workflows.UpdateWithdraw)
	if len(sent) != 1 || sent[0].Arg.(workflows.WithdrawRequest).Reason != "We are merging with another school" {
		t.Fatalf("sent %+v", sent)
	}
	r = e.follow(r)
	checkPage(t, r, http.StatusOK)
	if panel := first(r.doc, hasClass("govuk-panel--confirmation")); !strings.Contains(text(panel), "Application withdrawn") ||
		!strings.Contains(text(panel), "app-oak") {
		t.Fatalf("panel %q", text(panel))
	}
	r = e.get("/applications/app-oak")
	mustSay(t, r, "Withdrawn")
	if hasLink(r, "/applications/app-oak/withdraw") {
		t.Error("a withdrawn application offers withdrawal")
	}
}

// TestWithdrawOutcomeUnknown: when the journey does not answer, the page says the change may
// still be in progress, never that nothing was changed.
func TestWithdrawOutcomeUnknown(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio})
	f.Temporal.FailSend(serviceerror.NewUnavailable("connection reset"))
	e := newTestServer(t, ann, f)
	r := e.postForm("/applications/app-oak/withdraw", url.Values{"reason": {"moving"}, "confirm": {"yes"}})
	checkPage(t, r, http.StatusServiceUnavailable)
	mustSay(t, r, "check the application before trying again")
	mustNotSay(t, r, "nothing was changed", "Nothing was changed")
}

// TestStatusTimeline: after submission the page is the journey so far, with dates: submitted,
// the assessor allocated, the assessment due.
func TestStatusTimeline(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StageAssessment, TargetLevel: "silver", SubmittedAt: appstest.Ptr(day1),
		ToolkitOpenedAt: appstest.Ptr(appstest.Time),
		Next:            workflows.NextStep{Action: "assess the portfolio", DueAt: appstest.Ptr(day3)},
		Evidence:        []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1", "C1", "D1", "A2", "B2", "C2", "D2")},
		Assessment: &workflows.Assessment{AssessorID: "p-alex", AssessorName: "Alex Assessor", AcceptedAt: appstest.Ptr(day2),
			DueAt: appstest.Ptr(day3), VisitDate: "2026-10-05", Round: 1}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Being assessed", "Progress")
	items := findAll(r.doc, hasClass("app-timeline__item"))
	want := []struct{ title, date string }{
		{"Registered", "1 September 2026"},
		{"Toolkit opened", "1 September 2026"},
		{"Submitted for Silver", "7 September 2026"},
		{"Assessor allocated", "21 September 2026"},
		{"Assessment", "Due by 19 October 2026"},
	}
	if len(items) != len(want) {
		t.Fatalf("want %d timeline entries, got %d: %s", len(want), len(items), text(first(r.doc, hasClass("app-timeline"))))
	}
	for i, w := range want {
		if title := text(first(items[i], hasClass("app-timeline__title"))); title != w.title {
			t.Errorf("entry %d: %q, want %q", i, title, w.title)
		}
		if date := text(first(items[i], hasClass("app-timeline__date"))); date != w.date {
			t.Errorf("entry %q: date %q, want %q", w.title, date, w.date)
		}
	}
	if tm := first(items[2], func(n *htmlNode) bool { return n.Data == "time" }); attr(tm, "datetime") != "2026-09-07" {
		t.Errorf("machine-readable date %q", attr(tm, "datetime"))
	}
	mustSay(t, r, "Your assessor is Alex Assessor.", "Visit date: 5 October 2026.")
	if first(r.doc, hasClass("govuk-task-list")) != nil {
		t.Error("a task list after submission")
	}
}

// TestNotYet: a "not yet" decision shows the feedback, each standard's rating and the
// resubmission window with its closing date, and the task list to resubmit.
func TestNotYet(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StageNotYet, TargetLevel: "bronze", SubmittedAt: appstest.Ptr(day1),
		Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1", "C1", "D1")},
		Assessment: &workflows.Assessment{AssessorID: "p-alex", AssessorName: "Alex Assessor", AcceptedAt: appstest.Ptr(day2),
			AssessedAt: appstest.Ptr(day3), DecidedAt: appstest.Ptr(day3), Decision: award.NotMet,
			Feedback: "Strong leadership evidence.\nThe curriculum evidence is thin.", ResubmitBy: appstest.Ptr(day4),
			Ratings: map[string]award.Level{"A1": award.Bronze, "B1": award.NotMet}}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Not yet", "You must resubmit by 11 January 2027", "Strong leadership evidence.", "The curriculum evidence is thin.",
		"Resubmit your application")
	ratings := first(r.doc, byText("table", "How each standard was rated"))
	if ratings == nil || !strings.Contains(text(ratings), "A1 Standard A1 Bronze") || !strings.Contains(text(ratings), "B1 Standard B1 Not met") {
		t.Errorf("ratings: %q", text(ratings))
	}
	if tag := first(r.doc, hasClass("govuk-tag--orange")); text(tag) != "Not yet" {
		t.Errorf("stage tag %q", text(tag))
	}
	if !hasLink(r, "/applications/app-oak/check?level=bronze") {
		t.Error("no way to resubmit")
	}
}

// TestAwarded: an award shows its level, its expiry date and the certificate's download (a
// short-lived link straight to storage), and offers reassessment.
func TestAwarded(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StageAwarded, TargetLevel: "silver", SubmittedAt: appstest.Ptr(day1),
		Assessment: &workflows.Assessment{AssessorName: "Alex Assessor", AcceptedAt: appstest.Ptr(day2), AssessedAt: appstest.Ptr(day3),
			DecidedAt: appstest.Ptr(day3), Decision: award.Silver, ExpiresAt: appstest.Ptr(exp),
			Certificate: "tenants/north/certificates/app-oak.pdf", Feedback: "Well evidenced throughout."}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Silver award", "Valid until 30 September 2029", "Awarded on 19 October 2026", "Well evidenced throughout.")
	if tag := first(r.doc, hasClass("govuk-tag--green")); text(tag) != "Awarded" {
		t.Errorf("stage tag %q", text(tag))
	}
	for _, href := range []string{"/applications/app-oak/certificate", "/applications/app-oak/reapply"} {
		if !hasLink(r, href) {
			t.Errorf("no link to %s", href)
		}
	}
	if hasLink(r, "/applications/app-oak/withdraw") {
		t.Error("an award offers withdrawal")
	}
	if items := findAll(r.doc, hasClass("app-timeline__item")); len(items) == 0 ||
		!strings.Contains(text(items[len(items)-1]), "Awarded Silver") || !strings.Contains(text(items[len(items)-1]), "19 October 2026") {
		t.Errorf("timeline does not end with the award")
	}

	c := e.get("/applications/app-oak/certificate")
	if c.status != http.StatusSeeOther || !strings.HasPrefix(c.header.Get("Location"), appstest.URL+"/tenants/north/certificates/app-oak.pdf?") {
		t.Fatalf("certificate: %d %q", c.status, c.header.Get("Location"))
	}

	// The supporter sees the award, but not the reassessment.
	e.me = sue
	r = e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Silver award")
	if hasLink(r, "/applications/app-oak/reapply") {
		t.Error("the supporter is offered reassessment")
	}
}

// TestCertificateBeforeAward: no certificate yet is "Page not found".
func TestCertificateBeforeAward(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio})
	e := newTestServer(t, ann, f)
	checkNotFound(t, e.get("/applications/app-oak/certificate"))
}

// TestReapply: reassessment of an award starts a new application (evidence carried forward
// if asked) and goes there with a notice; anything but an award held is refused in words.
func TestReapply(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StageAwarded, SubmittedAt: appstest.Ptr(day1),
		Evidence:   []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1", "C1", "D1")},
		Assessment: &workflows.Assessment{DecidedAt: appstest.Ptr(day3), Decision: award.Silver, ExpiresAt: appstest.Ptr(exp)}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/reapply")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Apply to be reassessed" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Silver", "30 September 2029")

	r = e.postForm("/applications/app-oak/reapply", url.Values{"carry_forward": {"yes"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/applications/app") || r.header.Get("Location") == "/applications/app-oak" {
		t.Fatalf("reapply: %d %q %s", r.status, r.header.Get("Location"), firstLines(text(r.doc), 40))
	}
	if n := len(f.Temporal.Launched); n != 1 || len(f.Temporal.Launched[0].Carried) != 1 || f.Temporal.Launched[0].Previous.Level != award.Silver {
		t.Fatalf("launched %+v", f.Temporal.Launched)
	}
	page := e.follow(r)
	checkPage(t, page, http.StatusOK)
	if !strings.Contains(text(first(page.doc, hasClass("govuk-notification-banner"))), "You have applied to be reassessed") {
		t.Error("no notice on the new application")
	}

	// Not an award held: refused in words.
	g := appstest.New()
	oakAt(g, workflows.Status{Stage: workflows.StagePortfolio})
	e = newTestServer(t, ann, g)
	r = e.postForm("/applications/app-oak/reapply", url.Values{})
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "", "Only an award held can be reassessed")
}

// TestApplicationShownAsOfWhileTheJourneyIsBusy: a journey that does not answer within the
// read bound is shown from the projection, and the page says so and as of when, instead of
// passing the projection off as the journey's full state.
func TestApplicationShownAsOfWhileTheJourneyIsBusy(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, ToolkitOpenedAt: appstest.Ptr(day1),
		Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1")}})
	e := newTestServer(t, ann, f)
	e.srv.Apps().ReadWait = 20 * time.Millisecond

	r := e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	if strings.Contains(r.body, "Shown as of") {
		t.Fatal("an answering journey's page says it is shown from the projection")
	}

	f.Temporal.Busy(true)
	r = e.get("/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Shown as of", "busy with a step just now", "Oak Primary", "Gathering evidence")
	if got := taskStatus(t, r, "A1"); got != "Completed" {
		t.Errorf("A1 from the projection: %q, want Completed", got)
	}
}
