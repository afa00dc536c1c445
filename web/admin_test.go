package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"golang.org/x/net/html"

	"awardengine/award"
	"awardengine/services/admin"
	"awardengine/services/admin/admintest"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The admins' operational pages (admin.go, admin_actions.go) over the admin service with the
// fakes of services/admin/admintest (over appstest's): the dashboard, the stuck list and each
// action (confirmation, POST, banner, refusals), allocating by hand, search, the application's
// page, and role and tenant isolation.

var (
	admAda = award.Person{ID: "p-ada", TenantID: "north", Name: "Ada Admin", Email: "ada@north.example",
		Roles: []string{award.RoleAdmin}, Active: true}
	admAsh = award.Person{ID: "p-ash", TenantID: "north", Name: "Ash Assessor", Email: "ash@north.example",
		Roles: []string{award.RoleAssessor}, Active: true}
	admEd = award.Person{ID: "p-ed", TenantID: "east", Name: "Ed Eastadmin", Email: "ed@east.example",
		Roles: []string{award.RoleAdmin}, Active: true}
	admPriya = award.Person{ID: "p-priya", TenantID: "north", Name: "Priya Shah", Email: "priya@north.example",
		Roles: []string{award.RoleAssessor}, Active: true}
	admMorgan = award.Person{ID: "p-morgan", TenantID: "north", Name: "Morgan Lee", Email: "morgan@north.example",
		Roles: []string{award.RoleAssessor, award.RoleModerator}, Active: true}
	admSam = award.Person{ID: "p-sam", TenantID: "north", Name: "Sam Full", Email: "sam@north.example",
		Roles: []string{award.RoleAssessor}, Active: true}
)

const temporalUI = "http://temporal.test"

// adminEnv is the pages over the admin service's fakes, for me.
func adminEnv(t *testing.T, me award.Person) (*testEnv, *admintest.Fakes) {
	t.Helper()
	af := admintest.New(nil)
	for _, p := range []award.Person{admAda, admAsh, admEd, admPriya, admMorgan, admSam} {
		af.Apps.Store.AddPerson(p)
	}
	e := newTestServer(t, me, af.Apps)
	svc := af.Service(temporalUI)
	svc.Apps = e.srv.Apps() // the pages' applications service: one over the same fakes
	e.srv.Admin = func() *admin.Service { return svc }
	return e, af
}

var oakDue = time.Date(2026, 10, 15, 16, 0, 0, 0, time.UTC) // 15 October 2026, 17:00 in London

// oakAllocating seeds Ann's Oak Nursery (an early-years setting supported by Sue), submitted
// and waiting for an assessor nobody on the roster can be: Priya lacks the early-years
// specialism, Morgan is inactive, Sam is at capacity, and Sue supports the setting.
func oakAllocating(af *admintest.Fakes) {
	af.Apps.AddApplication(postgres.Application{ID: "app-oak", TenantID: "north", ApplicantID: ann.ID, SupporterID: sue.ID,
		SettingReference: "URN-100", SettingName: "Oak Nursery", Track: "caring_schools", Variant: "early_years_setting",
		Flags: []string{"no_eligible_assessor"}},
		workflows.Status{Stage: workflows.StageAwaitingAllocation, SubmittedAt: appstest.Ptr(day1), TargetLevel: "bronze",
			Flags: []string{"no_eligible_assessor"},
			Next:  workflows.NextStep{Action: "allocate an assessor", Who: award.RoleAdmin},
			Assessment: &award.Assessment{NoAssessor: true, Allocation: &award.Allocation{Reason: "no eligible assessor: 4 excluded",
				Ranked: []string{}, Excluded: []award.Exclusion{{PersonID: admPriya.ID, Name: admPriya.Name, Reason: "no early-years specialism"}}}}})
	roster := []postgres.AssessorProfile{
		{PersonID: admPriya.ID, Name: admPriya.Name, Roles: admPriya.Roles, Tracks: []award.Track{award.CaringSchools}, Capacity: 3, Active: true},
		{PersonID: admMorgan.ID, Name: admMorgan.Name, Roles: admMorgan.Roles, Tracks: award.Tracks(),
			Specialisms: []award.Specialism{award.EarlyYears}, Capacity: 3, Active: false},
		{PersonID: admSam.ID, Name: admSam.Name, Roles: admSam.Roles, Tracks: award.Tracks(),
			Specialisms: []award.Specialism{award.EarlyYears}, Capacity: 3, Open: 3, Active: true},
		{PersonID: sue.ID, Name: sue.Name, Roles: []string{award.RoleAssessor}, Tracks: award.Tracks(),
			Specialisms: []award.Specialism{award.EarlyYears}, Capacity: 3, Active: true},
	}
	af.Store.SetRoster("north", roster)
}

// elmAssessing seeds Bob's Elm Primary, being assessed by Priya until 15 October 2026.
func elmAssessing(af *admintest.Fakes) {
	af.Apps.AddApplication(postgres.Application{ID: "app-elm", TenantID: "north", ApplicantID: bob.ID,
		SettingReference: "URN-200", SettingName: "Elm Primary", Track: "caring_schools", Variant: "primary", AssessorID: admPriya.ID},
		workflows.Status{Stage: workflows.StageAssessment, SubmittedAt: appstest.Ptr(day1),
			Next:       workflows.NextStep{Action: "assess the portfolio", Who: award.RoleAssessor, DueAt: &oakDue},
			Assessment: &award.Assessment{AssessorID: admPriya.ID, AssessorName: admPriya.Name, AcceptedAt: appstest.Ptr(day2), DueAt: &oakDue}})
}

// eastApp seeds an application of the east council.
func eastApp(af *admintest.Fakes) {
	af.Apps.AddApplication(postgres.Application{ID: "app-east", TenantID: "east", ApplicantID: eve.ID,
		SettingReference: "URN-900", SettingName: "East School", Track: "caring_schools", Variant: "primary"},
		workflows.Status{Stage: workflows.StagePortfolio})
}

func byID(r response, id string) *html.Node {
	return first(r.doc, func(n *html.Node) bool { return attr(n, "id") == id })
}

func textOf(t *testing.T, r response, id string) string {
	t.Helper()
	n := byID(r, id)
	if n == nil {
		t.Fatalf("no element #%s: %s", id, firstLines(mainText(r), 60))
	}
	return text(n)
}

// tableRows are a table's body rows, each as its cells' texts.
func tableRows(t *testing.T, r response, id string) [][]string {
	t.Helper()
	tbl := byID(r, id)
	if tbl == nil {
		t.Fatalf("no table #%s", id)
	}
	var out [][]string
	for _, tr := range findAll(tbl, func(n *html.Node) bool { return n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" }) {
		var row []string
		for _, c := range findAll(tr, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" }) {
			row = append(row, text(c))
		}
		out = append(out, row)
	}
	return out
}

func noticeOf(r response) string {
	return text(first(r.doc, hasClass("govuk-notification-banner__heading")))
}

// TestAdminDashboard: the counts now, and each chart (SVG bars with a title, no style
// attributes) beside a table of the same numbers.
func TestAdminDashboard(t *testing.T) {
	e, af := adminEnv(t, admAda)
	af.Store.SetDashboard("north", postgres.Dashboard{Total: 9, Active: 7, Overdue: 2,
		Stages: postgres.StageCounts(map[string]structs.StageCount{
			"portfolio":           {Stage: "portfolio", Applications: 4, Overdue: 1},
			"awaiting_allocation": {Stage: "awaiting_allocation", Applications: 2},
			"assessment":          {Stage: "assessment", Applications: 1, Overdue: 1},
			"awarded":             {Stage: "awarded", Applications: 2}}),
		Flags:             []structs.FlagCount{{Flag: "no_eligible_assessor", Applications: 2}, {Flag: "dormant", Applications: 1}},
		MedianWorkingDays: []structs.StageMedian{{Stage: "portfolio", Median: 12, Spans: 5}, {Stage: "assessment", Median: 7.5, Spans: 2}}})
	r := e.get("/admin")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Dashboard" {
		t.Fatalf("h1 %q", heading(r))
	}
	for id, want := range map[string]string{"count-active": "7", "count-total": "9", "count-overdue": "2 See the stuck list"} {
		if got := textOf(t, r, id); got != want {
			t.Errorf("#%s %q, want %q", id, got, want)
		}
	}
	if got := textOf(t, r, "count-flags"); !strings.Contains(got, "No eligible assessor: 2") || !strings.Contains(got, "No activity for months: 1") {
		t.Errorf("flags %q", got)
	}
	rows := tableRows(t, r, "table-stages")
	if len(rows) != 12 {
		t.Fatalf("want every stage in the table, got %d rows: %v", len(rows), rows)
	}
	want := map[string][]string{"Gathering evidence": {"4", "1"}, "Waiting for an assessor": {"2", "0"}, "Being assessed": {"1", "1"},
		"Awarded": {"2", "0"}, "Toolkit": {"0", "0"}}
	for _, row := range rows {
		if w, ok := want[row[0]]; ok && (row[1] != w[0] || row[2] != w[1]) {
			t.Errorf("stage row %v, want %v", row, w)
		}
	}
	medians := tableRows(t, r, "table-medians")
	if len(medians) != 2 || medians[0][0] != "Gathering evidence" || medians[0][1] != "12" || medians[1][1] != "7.5" || medians[1][2] != "2" {
		t.Errorf("medians table %v", medians)
	}
	// The charts: an image with a title and description, a bar per row of its table, the values
	// written beside the bars, the longest bar the largest value.
	for id, bars := range map[string]int{"chart-stages": 12, "chart-medians": 2} {
		svg := byID(r, id)
		if svg == nil || attr(svg, "role") != "img" || attr(svg, "aria-labelledby") != id+"-title "+id+"-desc" {
			t.Fatalf("chart %s: %v", id, svg)
		}
		if text(byID(r, id+"-title")) == "" || text(byID(r, id+"-desc")) == "" {
			t.Errorf("chart %s has no title or description", id)
		}
		rects := findAll(svg, func(n *html.Node) bool { return n.Data == "rect" })
		if len(rects) != bars {
			t.Errorf("chart %s: %d bars, want %d", id, len(rects), bars)
		}
	}
	if !strings.Contains(text(byID(r, "chart-medians")), "Gathering evidence 12") {
		t.Errorf("median chart text %q", text(byID(r, "chart-medians")))
	}
	widest := ""
	for _, rect := range findAll(byID(r, "chart-stages"), func(n *html.Node) bool { return n.Data == "rect" }) {
		if w := attr(rect, "width"); w == "290.0" {
			widest = w
		}
	}
	if widest == "" {
		t.Error("the largest value's bar is not the full width")
	}
	if n := first(r.doc, func(n *html.Node) bool { return attr(n, "style") != "" }); n != nil {
		t.Errorf("a style attribute (the CSP refuses it): <%s>", n.Data)
	}
	if len(af.Store.DashboardPeriods) != 1 {
		t.Fatalf("periods %v", af.Store.DashboardPeriods)
	}
	if p := af.Store.DashboardPeriods[0]; p[1].Sub(p[0]) < 363*24*time.Hour || p[1].Sub(p[0]) > 365*24*time.Hour {
		t.Errorf("medians over %v, want the last year", p)
	}
	mustSay(t, r, "Over the stays in a stage that ended between")
}

func TestAdminDashboardWithoutMedians(t *testing.T) {
	e, _ := adminEnv(t, admAda)
	r := e.get("/admin")
	checkPage(t, r, http.StatusOK)
	if byID(r, "no-medians") == nil || byID(r, "chart-medians") != nil {
		t.Error("want the no-medians sentence and no median chart")
	}
	if got := textOf(t, r, "count-flags"); got != "None" {
		t.Errorf("flags %q", got)
	}
}

// TestAdminStuckList: each entry with its reason, age, holder, stage, what would unstick it
// and the actions it calls for; only the admin's tenant's.
func TestAdminStuckList(t *testing.T) {
	e, af := adminEnv(t, admAda)
	oakAllocating(af)
	elmAssessing(af)
	eastApp(af)
	now := time.Now()
	af.Store.AddStuck(postgres.StuckEntry{ApplicationID: "app-elm", SettingName: "Elm Primary", SettingReference: "URN-200",
		Stage: "assessment", Reason: postgres.StuckOverdue, Detail: "assess the portfolio", Who: "assessor",
		HolderID: admPriya.ID, HolderName: admPriya.Name, Since: now.Add(-50 * time.Hour)})
	af.Store.AddStuck(postgres.StuckEntry{ApplicationID: "app-oak", SettingName: "Oak Nursery", SettingReference: "URN-100",
		Stage: "awaiting_allocation", Reason: postgres.StuckNoAssessor, Detail: "allocate an assessor", Who: "admin",
		Since: now.Add(-72 * time.Hour)})
	af.Store.AddStuck(postgres.StuckEntry{ApplicationID: "app-east", SettingName: "East School", Stage: "portfolio",
		Reason: postgres.StuckDormant, Who: "applicant", Since: now.Add(-24 * time.Hour)})
	r := e.get("/admin/stuck")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Stuck applications" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustNotSay(t, r, "East School")
	oak, elm := textOf(t, r, "stuck-0"), textOf(t, r, "stuck-1")
	for _, want := range []string{"Oak Nursery", "No assessor can be allocated", "3 days", "Award team (admins)", "Waiting for an assessor",
		"URN-100", "Allocate an assessor by hand"} {
		if !strings.Contains(oak, want) {
			t.Errorf("the oldest entry does not say %q: %s", want, oak)
		}
	}
	for _, want := range []string{"Elm Primary", "A step is overdue", "2 days", "Priya Shah", "Being assessed", "Send a reminder, extend the deadline, or reassign it"} {
		if !strings.Contains(elm, want) {
			t.Errorf("the overdue entry does not say %q: %s", want, elm)
		}
	}
	for _, href := range []string{"/admin/applications/app-oak", "/admin/applications/app-oak/allocate?from=stuck",
		"/admin/applications/app-oak/withdraw?from=stuck", "/admin/applications/app-elm/nudge?from=stuck",
		"/admin/applications/app-elm/extend?from=stuck", "/admin/applications/app-elm/reassign?from=stuck"} {
		if !hasLink(r, href) {
			t.Errorf("no link %s", href)
		}
	}
	if hasLink(r, "/admin/applications/app-oak/nudge?from=stuck") {
		t.Error("nudge offered for an application waiting for an assessor")
	}
}

func TestAdminStuckListEmpty(t *testing.T) {
	e, _ := adminEnv(t, admAda)
	r := e.get("/admin/stuck")
	checkPage(t, r, http.StatusOK)
	if byID(r, "nothing-stuck") == nil {
		t.Fatal("no 'Nothing is stuck'")
	}
}

// TestAdminNudge: the confirmation names who is reminded; the POST nudges with the reason and
// goes back to the stuck list with a banner; a refusal comes back in the error summary.
func TestAdminNudge(t *testing.T) {
	e, af := adminEnv(t, admAda)
	elmAssessing(af)
	r := e.get("/admin/applications/app-elm/nudge?from=stuck")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Send a reminder" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "Elm Primary", "again to Priya Shah", "assess the portfolio, by 15 October 2026")
	if first(r.doc, func(n *html.Node) bool {
		return n.Data == "input" && attr(n, "name") == "from" && attr(n, "value") == "stuck"
	}) == nil {
		t.Error("the form does not remember it came from the stuck list")
	}
	if byID(r, "reason") == nil {
		t.Error("no reason field")
	}
	res := e.postForm("/admin/applications/app-elm/nudge", url.Values{"from": {"stuck"}, "reason": {"Phoned: will do it this week"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/stuck" {
		t.Fatalf("want 303 to the stuck list, got %d %q", res.status, res.header.Get("Location"))
	}
	sent := af.Apps.Temporal.Sent(workflows.UpdateNudge)
	if len(sent) != 1 || sent[0].Arg.(workflows.NudgeRequest).Reason != "Phoned: will do it this week" ||
		sent[0].Arg.(workflows.NudgeRequest).Actor.Role != workflows.RoleAdmin {
		t.Fatalf("nudges sent %+v", sent)
	}
	page := e.follow(res)
	checkPage(t, page, http.StatusOK)
	if got := noticeOf(page); got != "Reminder sent again for Elm Primary" {
		t.Fatalf("banner %q", got)
	}
	if noticeOf(e.get("/admin/stuck")) != "" {
		t.Error("the banner shows twice")
	}

	af.Apps.Temporal.Refuse(workflows.UpdateNudge, appstest.Refusal(workflows.ErrWrongStage, `nobody has a step to be nudged about at stage "awarded"`))
	res = e.postForm("/admin/applications/app-elm/nudge", url.Values{"reason": {"again"}})
	checkPage(t, res, http.StatusConflict)
	checkErrorSummary(t, res, "", "Nobody has a step to be nudged about")
	if got := byID(res, "reason"); got == nil || text(got) != "again" {
		t.Error("the reason typed is lost")
	}
}

// TestAdminExtend: the current deadline; a new date or a number of working days; a date that
// is not one, both at once, and the journey's refusal naming the reason, each beside its field.
func TestAdminExtend(t *testing.T) {
	e, af := adminEnv(t, admAda)
	elmAssessing(af)
	r := e.get("/admin/applications/app-elm/extend")
	checkPage(t, r, http.StatusOK)
	if got := textOf(t, r, "current-deadline"); !strings.Contains(got, "15 October 2026") || !strings.Contains(got, "Priya Shah") {
		t.Errorf("current deadline %q", got)
	}
	for _, id := range []string{"until", "until-month", "until-year", "working_days", "reason"} {
		if byID(r, id) == nil {
			t.Errorf("no field #%s", id)
		}
	}
	res := e.postForm("/admin/applications/app-elm/extend", url.Values{"until-day": {"31"}, "until-month": {"2"}, "until-year": {"2027"}, "reason": {"x"}})
	checkPage(t, res, http.StatusUnprocessableEntity)
	checkErrorSummary(t, res, "until", "real date")
	res = e.postForm("/admin/applications/app-elm/extend", url.Values{"working_days": {"five"}, "reason": {"x"}})
	checkErrorSummary(t, res, "working_days", "whole number")
	res = e.postForm("/admin/applications/app-elm/extend", url.Values{"until-day": {"1"}, "until-month": {"11"}, "until-year": {"2026"}, "working_days": {"5"}, "reason": {"x"}})
	checkErrorSummary(t, res, "until", "not both")
	if len(af.Apps.Temporal.Sent(workflows.UpdateExtend)) != 0 {
		t.Fatal("a refused form reached the journey")
	}

	af.Apps.Temporal.OnUpdate(workflows.UpdateExtend, func(st *workflows.Status, arg any) (any, error) {
		req := arg.(workflows.ExtendRequest)
		if req.Reason == "" {
			return nil, appstest.Refusal(workflows.ErrInvalid, "reason: say why the deadline moves")
		}
		st.Next.DueAt, st.Assessment.DueAt = &req.Until, &req.Until
		return nil, nil
	})
	res = e.postForm("/admin/applications/app-elm/extend", url.Values{"until-day": {"1"}, "until-month": {"11"}, "until-year": {"2026"}})
	checkPage(t, res, http.StatusUnprocessableEntity)
	checkErrorSummary(t, res, "reason", "Say why the deadline moves")
	if got := byID(res, "until"); attr(got, "value") != "1" {
		t.Error("the date typed is lost")
	}
	res = e.postForm("/admin/applications/app-elm/extend", url.Values{"until-day": {"1"}, "until-month": {"11"}, "until-year": {"2026"}, "reason": {"Illness"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/applications/app-elm" {
		t.Fatalf("want 303 to the application, got %d %q", res.status, res.header.Get("Location"))
	}
	sent := af.Apps.Temporal.Sent(workflows.UpdateExtend)
	until := sent[len(sent)-1].Arg.(workflows.ExtendRequest).Until
	if got := until.In(ukTime).Format("2006-01-02 15:04"); got != "2026-11-01 17:00" {
		t.Errorf("until %s", got)
	}
	page := e.follow(res)
	checkPage(t, page, http.StatusOK)
	if got := noticeOf(page); got != "Deadline extended for Elm Primary: it is now 1 November 2026" {
		t.Fatalf("banner %q", got)
	}
}

// TestAdminReassign: a warning button, a reason, the assessment reassigned.
func TestAdminReassign(t *testing.T) {
	e, af := adminEnv(t, admAda)
	elmAssessing(af)
	r := e.get("/admin/applications/app-elm/reassign")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "This takes the assessment from Priya Shah")
	if first(r.doc, hasClass("govuk-button--warning")) == nil {
		t.Error("reassigning is not a warning button")
	}
	res := e.postForm("/admin/applications/app-elm/reassign", url.Values{"reason": {"Priya is on leave"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d: %s", res.status, firstLines(mainText(res), 40))
	}
	sent := af.Apps.Temporal.Sent(workflows.UpdateReassign)
	if len(sent) != 1 || sent[0].Arg.(workflows.ReassignRequest).Reason != "Priya is on leave" {
		t.Fatalf("reassign %+v", sent)
	}
	if got := noticeOf(e.follow(res)); !strings.Contains(got, "Elm Primary was taken from its assessor") {
		t.Fatalf("banner %q", got)
	}
}

// TestAdminAllocateByHand: nobody is eligible by the rules; the page says why each is
// excluded, offers by hand only those who may be chosen (Priya, who lacks the specialism),
// lists the others with their reason, and offers it to the one chosen.
func TestAdminAllocateByHand(t *testing.T) {
	e, af := adminEnv(t, admAda)
	oakAllocating(af)
	r := e.get("/admin/applications/app-oak/allocate?from=stuck")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Allocate an assessor by hand" {
		t.Fatalf("h1 %q", heading(r))
	}
	if got := textOf(t, r, "rules"); !strings.Contains(got, "By the allocation rules nobody is eligible (no eligible assessor: 4 excluded)") {
		t.Errorf("rules %q", got)
	}
	radios := findAll(r.doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "type") == "radio" })
	if len(radios) != 1 || attr(radios[0], "value") != admPriya.ID || attr(radios[0], "id") != "assessor" {
		t.Fatalf("radios %d", len(radios))
	}
	if got := textOf(t, r, "assessor-item-hint"); !strings.Contains(got, "The rules exclude them: no early-years specialism. 0 open assessments of at most 3.") {
		t.Errorf("Priya's hint %q", got)
	}
	barred := textOf(t, r, "barred")
	for _, want := range []string{"Morgan Lee: inactive", "Sam Full: at capacity (3 of 3 open)", "Sue Supporter: supports this setting"} {
		if !strings.Contains(barred, want) {
			t.Errorf("the excluded do not say %q: %s", want, barred)
		}
	}

	res := e.postForm("/admin/applications/app-oak/allocate", url.Values{"from": {"stuck"}})
	checkPage(t, res, http.StatusUnprocessableEntity)
	checkErrorSummary(t, res, "assessor", "Choose the assessor")

	af.Apps.Temporal.OnUpdate(workflows.UpdateAllocate, func(st *workflows.Status, arg any) (any, error) {
		req := arg.(workflows.AllocateRequest)
		st.Stage = workflows.StageOffered
		st.Assessment.Offer = &award.Offer{PersonID: req.AssessorID, Name: admPriya.Name, OfferedAt: appstest.Time}
		return nil, nil
	})
	res = e.postForm("/admin/applications/app-oak/allocate", url.Values{"from": {"stuck"}, "assessor": {admPriya.ID}, "reason": {"Worked in early years for ten years"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/stuck" {
		t.Fatalf("want 303 to the stuck list, got %d: %s", res.status, firstLines(mainText(res), 40))
	}
	sent := af.Apps.Temporal.Sent(workflows.UpdateAllocate)
	if len(sent) != 1 || sent[0].Arg.(workflows.AllocateRequest).AssessorID != admPriya.ID ||
		sent[0].Arg.(workflows.AllocateRequest).Reason != "Worked in early years for ten years" {
		t.Fatalf("allocate %+v", sent)
	}
	if got := noticeOf(e.follow(res)); got != "Oak Nursery was offered to Priya Shah" {
		t.Fatalf("banner %q", got)
	}
	// Offered now: allocating is no longer what its stage allows.
	r = e.get("/admin/applications/app-oak/allocate")
	checkPage(t, r, http.StatusOK)
	if byID(r, "not-allowed") == nil || first(r.doc, func(n *html.Node) bool {
		return n.Data == "form" && attr(n, "method") == "post" &&
			strings.HasPrefix(attr(n, "action"), "/admin/")
	}) != nil {
		t.Error("allocation still offered once offered")
	}
}

// TestAdminAllocateNobodyByHand: when nobody may be chosen, the page says what to change and
// has no form.
func TestAdminAllocateNobodyByHand(t *testing.T) {
	e, af := adminEnv(t, admAda)
	oakAllocating(af)
	af.Store.SetRoster("north", nil)
	r := e.get("/admin/applications/app-oak/allocate")
	checkPage(t, r, http.StatusOK)
	if byID(r, "no-choices") == nil || byID(r, "assessor") != nil {
		t.Fatal("want the no-choices sentence and no radios")
	}
	mustSay(t, r, "the roster is empty")
}

// TestAdminRetry: the failing activity is reset and the banner names it.
func TestAdminRetry(t *testing.T) {
	e, af := adminEnv(t, admAda)
	elmAssessing(af)
	af.Temporal.SetDescription(workflows.WorkflowID("app-elm"), &workflowservice.DescribeWorkflowExecutionResponse{
		WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			Execution: &commonpb.WorkflowExecution{WorkflowId: workflows.WorkflowID("app-elm"), RunId: "run-1"}},
		PendingActivities: []*workflowpb.PendingActivityInfo{{ActivityId: "7", ActivityType: &commonpb.ActivityType{Name: "SendEmail"},
			Attempt: 4, LastFailure: &failurepb.Failure{Message: "mail server down"}}}})
	r := e.get("/admin/applications/app-elm/retry")
	checkPage(t, r, http.StatusOK)
	if byID(r, "reason") != nil {
		t.Error("retry has no reason to give")
	}
	res := e.postForm("/admin/applications/app-elm/retry", nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d: %s", res.status, firstLines(mainText(res), 40))
	}
	if len(af.Temporal.Resets) != 1 || af.Temporal.Resets[0].GetId() != "7" {
		t.Fatalf("resets %v", af.Temporal.Resets)
	}
	if got := noticeOf(e.follow(res)); got != "Retried now: SendEmail" {
		t.Fatalf("banner %q", got)
	}
	// Nothing failing: the service's conflict in the summary.
	af.Temporal.SetDescription(workflows.WorkflowID("app-elm"), &workflowservice.DescribeWorkflowExecutionResponse{
		WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}})
	res = e.postForm("/admin/applications/app-elm/retry", nil)
	checkPage(t, res, http.StatusConflict)
	checkErrorSummary(t, res, "", "No activity of this application is failing")
}

// TestAdminWithdraw: a warning; the reason required beside its field; withdrawn with a banner.
func TestAdminWithdraw(t *testing.T) {
	e, af := adminEnv(t, admAda)
	oakAllocating(af)
	r := e.get("/admin/applications/app-oak/withdraw")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "cannot be reopened")
	res := e.postForm("/admin/applications/app-oak/withdraw", url.Values{"reason": {"  "}})
	checkPage(t, res, http.StatusUnprocessableEntity)
	checkErrorSummary(t, res, "reason", "Say why the application is withdrawn")
	res = e.postForm("/admin/applications/app-oak/withdraw", url.Values{"reason": {"The nursery closed"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/applications/app-oak" {
		t.Fatalf("want 303 to the application, got %d %q", res.status, res.header.Get("Location"))
	}
	page := e.follow(res)
	checkPage(t, page, http.StatusOK)
	if got := noticeOf(page); got != "Oak Nursery was withdrawn" {
		t.Fatalf("banner %q", got)
	}
	if !strings.Contains(text(byID(page, "summary")), "Withdrawn") || !strings.Contains(textOf(t, page, "actions"), "Nothing can be done") {
		t.Errorf("after withdrawing: %s / %s", text(byID(page, "summary")), text(byID(page, "actions")))
	}
}

// TestAdminSearch: the empty form, a blank search in the error summary, results linking to
// each application's page, and never another council's.
func TestAdminSearch(t *testing.T) {
	e, af := adminEnv(t, admAda)
	oakAllocating(af)
	eastApp(af)
	af.Store.AddSearchResult(postgres.SearchResult{ID: "app-oak", SettingReference: "URN-100", SettingName: "Oak Nursery",
		Track: "caring_schools", Variant: "early_years_setting", Stage: "awaiting_allocation", ApplicantName: ann.Name, Match: "setting_name"})
	af.Store.AddSearchResult(postgres.SearchResult{ID: "app-east", SettingReference: "URN-900", SettingName: "East Oak School",
		Track: "caring_schools", Variant: "primary", Stage: "portfolio", ApplicantName: eve.Name, Match: "setting_name"})
	r := e.get("/admin/search")
	checkPage(t, r, http.StatusOK)
	if len(errorSummary(r)) != 0 || byID(r, "results") != nil || byID(r, "q") == nil {
		t.Fatal("the empty form shows errors or results")
	}
	r = e.get("/admin/search?q=+")
	checkPage(t, r, http.StatusOK)
	checkErrorSummary(t, r, "q", "Enter part of a setting's name")
	r = e.get("/admin/search?q=oak")
	checkPage(t, r, http.StatusOK)
	if got := textOf(t, r, "results"); got != "1 application found for “oak”" {
		t.Errorf("results heading %q", got)
	}
	if !hasLink(r, "/admin/applications/app-oak") || hasLink(r, "/admin/applications/app-east") {
		t.Errorf("links %v", links(r))
	}
	mustSay(t, r, "Oak Nursery", "URN-100", "Ann Applicant", "Waiting for an assessor", "Setting name")
	mustNotSay(t, r, "East Oak School")
	if got := attr(byID(r, "q"), "value"); got != "oak" {
		t.Errorf("the query is not kept in the box: %q", got)
	}
	r = e.get("/admin/search?q=nothing-like-it")
	if got := textOf(t, r, "results"); !strings.HasPrefix(got, "No applications found") {
		t.Errorf("no results heading %q", got)
	}
}

// TestAdminApplicationPage: the summary, the actions its stage allows, the Temporal link, the
// timeline with working days, the allocation's reasons, offers, emails with their delivery,
// and the audit trail newest first.
func TestAdminApplicationPage(t *testing.T) {
	e, af := adminEnv(t, admAda)
	oakAllocating(af)
	at := func(d int) time.Time { return time.Date(2026, 9, 7+d, 10, 0, 0, 0, time.UTC) }
	for _, l := range []postgres.AuditLine{
		{AuditEntry: postgres.AuditEntry{TenantID: "north", ApplicationID: "app-oak", Actor: ann.ID, Action: "registered", StageAfter: "toolkit", At: at(0)}, ActorName: ann.Name},
		{AuditEntry: postgres.AuditEntry{TenantID: "north", ApplicationID: "app-oak", Actor: ann.ID, Action: "submitted", StageBefore: "portfolio", StageAfter: "awaiting_allocation", At: at(7)}, ActorName: ann.Name},
		{AuditEntry: postgres.AuditEntry{TenantID: "north", ApplicationID: "app-oak", Actor: "system", Action: "allocation_failed", StageBefore: "awaiting_allocation", StageAfter: "awaiting_allocation", At: at(7)}},
		{AuditEntry: postgres.AuditEntry{TenantID: "north", ApplicationID: "app-oak", Actor: admAda.ID, Action: "nudged", Detail: map[string]any{"reason": "Chasing the roster"}, At: at(8)}, ActorName: admAda.Name},
		{AuditEntry: postgres.AuditEntry{TenantID: "east", ApplicationID: "app-oak", Actor: "x", Action: "east_line", At: at(8)}},
	} {
		af.Store.AddAudit(l)
	}
	af.Store.AddEmail("north", "app-oak", postgres.SentEmail{MessageType: "submitted", RecipientID: ann.ID, RecipientName: ann.Name,
		Subject: "We have your application", Status: "sent", Attempts: 1, CreatedAt: at(7), SentAt: appstest.Ptr(at(7))})
	af.Store.AddEmail("north", "app-oak", postgres.SentEmail{MessageType: "submitted_copy", RecipientID: sue.ID, RecipientName: sue.Name,
		Subject: "Oak Nursery has applied", Status: "failed", Attempts: 5, LastError: "550 mailbox unavailable", CreatedAt: at(7)})
	af.Apps.Store.AddAssignment("north", postgres.Assignment{ID: "as-1", ApplicationID: "app-oak", PersonID: admSam.ID, PersonName: admSam.Name,
		Role: "assessor", State: "declined", Reason: "too busy", OfferedAt: at(7), ClosedAt: appstest.Ptr(at(8))})

	r := e.get("/admin/applications/app-oak")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Oak Nursery" {
		t.Fatalf("h1 %q", heading(r))
	}
	summary := textOf(t, r, "summary")
	for _, want := range []string{"Waiting for an assessor", "Allocate an assessor", "Caring Schools Award", "Ann Applicant", "Sue Supporter",
		"No eligible assessor", "app-oak"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary does not say %q: %s", want, summary)
		}
	}
	if got := attr(byID(r, "temporal-link"), "href"); got != temporalUI+"/namespaces/awards/workflows/application%2Fapp-oak" {
		t.Errorf("Temporal link %q", got)
	}
	for _, href := range []string{"/admin/applications/app-oak/allocate", "/admin/applications/app-oak/retry", "/admin/applications/app-oak/withdraw"} {
		if !hasLink(r, href) {
			t.Errorf("no action %s", href)
		}
	}
	if hasLink(r, "/admin/applications/app-oak/nudge") || hasLink(r, "/admin/applications/app-oak/reassign") {
		t.Error("actions its stage does not allow are offered")
	}
	main := mainText(r)
	for _, want := range []string{
		"Toolkit 7 September 2026 at 11:00am Registered, by Ann Applicant 5", // five working days in the toolkit
		"Waiting for an assessor 14 September 2026 at 11:00am Submitted, by Ann Applicant",
		"No eligible assessor: 4 excluded", "Priya Shah: no early-years specialism",
		"Sam Full Assessor 14 September 2026 Declined 15 September 2026 too busy",
		"We have your application", "Sent", "Oak Nursery has applied", "Sue Supporter", "Not delivered", "5 attempts", "550 mailbox unavailable",
		"Nudged", "Reason: Chasing the roster", "Allocation failed", "The system",
	} {
		if !strings.Contains(main, want) {
			t.Errorf("the page does not say %q:\n%s", want, firstLines(main, 200))
		}
	}
	if strings.Contains(main, "East line") {
		t.Error("another tenant's audit line is shown")
	}
	if i, j := strings.Index(main, "Nudged"), strings.Index(main, "Registered Toolkit"); i < 0 || (j >= 0 && j < i) {
		t.Error("the audit trail is not newest first")
	}
	if !hasLink(r, "/v1/admin/audit?application=app-oak&format=csv") {
		t.Error("no CSV download of the audit trail")
	}
}

// TestAdminPagesRefuseOthers: an assessor and an applicant get the 403 page on every admin page
// and action, and nothing reaches a journey.
func TestAdminPagesRefuseOthers(t *testing.T) {
	for _, me := range []award.Person{admAsh, ann} {
		e, af := adminEnv(t, me)
		oakAllocating(af)
		for _, path := range []string{"/admin", "/admin/stuck", "/admin/search", "/admin/search?q=oak", "/admin/applications/app-oak",
			"/admin/applications/app-oak/nudge", "/admin/applications/app-oak/extend", "/admin/applications/app-oak/reassign",
			"/admin/applications/app-oak/allocate", "/admin/applications/app-oak/retry", "/admin/applications/app-oak/withdraw"} {
			r := e.get(path)
			checkPage(t, r, http.StatusForbidden)
			if heading(r) != "You cannot do this" {
				t.Errorf("%s for %s: %q", path, me.Name, heading(r))
			}
			mustNotSay(t, r, "Oak Nursery")
		}
		for _, a := range []string{"nudge", "extend", "reassign", "allocate", "retry", "withdraw"} {
			r := e.postForm("/admin/applications/app-oak/"+a, url.Values{"reason": {"x"}, "assessor": {admPriya.ID}, "working_days": {"3"}})
			checkPage(t, r, http.StatusForbidden)
		}
		if len(af.Apps.Temporal.Updates) != 0 || len(af.Temporal.Resets) != 0 {
			t.Fatalf("a refused person's action reached a journey: %+v", af.Apps.Temporal.Updates)
		}
		if hasLink(e.get("/applications"), "/admin") {
			t.Errorf("%s is shown the admin navigation", me.Name)
		}
	}
}

// TestAdminOtherTenant: another council's admin finds nothing of this council's application.
func TestAdminOtherTenant(t *testing.T) {
	e, af := adminEnv(t, admEd)
	oakAllocating(af)
	af.Store.AddStuck(postgres.StuckEntry{ApplicationID: "app-oak", SettingName: "Oak Nursery", Reason: postgres.StuckNoAssessor, Who: "admin", Since: time.Now()})
	for _, path := range []string{"/admin/applications/app-oak", "/admin/applications/app-oak/allocate", "/admin/applications/app-oak/nudge",
		"/admin/applications/app-oak/withdraw", "/admin/applications/no-such-app"} {
		checkNotFound(t, e.get(path), "Oak Nursery")
	}
	for _, a := range []string{"nudge", "allocate", "withdraw", "retry"} {
		checkNotFound(t, e.postForm("/admin/applications/app-oak/"+a, url.Values{"reason": {"x"}, "assessor": {admPriya.ID}}), "Oak Nursery")
	}
	if len(af.Apps.Temporal.Updates) != 0 {
		t.Fatalf("another council's admin reached the journey: %+v", af.Apps.Temporal.Updates)
	}
	r := e.get("/admin/stuck")
	checkPage(t, r, http.StatusOK)
	mustNotSay(t, r, "Oak Nursery")
}

// TestAdminPagesSignedOut: each page sends to sign in first.
func TestAdminPagesSignedOut(t *testing.T) {
	e, _ := adminEnv(t, award.Person{})
	for _, path := range []string{"/admin", "/admin/stuck", "/admin/search", "/admin/applications/app-oak", "/admin/applications/app-oak/allocate"} {
		checkSignInFirst(t, e.get(path), path)
	}
}

func init() {
	zeroData["admin/dashboard"] = dashboardData{}
	zeroData["admin/stuck"] = stuckData{}
	zeroData["admin/search"] = searchData{Searched: true}
	zeroData["admin/application"] = adminAppData{}
	zeroData["admin/action"] = actionData{Allowed: true, Spec: actionSpecs["extend"], Action: "extend"}
}

// TestAdminActionPagesRender: the action page renders for every action (pages_test.go's
// TestEveryTemplateParses renders it for extend).
func TestAdminActionPagesRender(t *testing.T) {
	for _, a := range []string{"nudge", "reassign", "allocate", "retry", "withdraw"} {
		var buf bytes.Buffer
		d := actionData{Allowed: true, Spec: actionSpecs[a], Action: a, C: &structs.AllocationCandidates{}}
		if err := pages()["admin/action"].ExecuteTemplate(&buf, "layout", &Page{Title: "x", Data: d, Script: supportedScript}); err != nil {
			t.Fatalf("rendering the %s page: %v", a, err)
		}
	}
}
