package web

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// due is a due date in the pages' words: 15 October 2026.
var due = time.Date(2026, 10, 15, 16, 0, 0, 0, time.UTC)

// seedApplications gives Ann two applications, Bob one and Eve (another council) one.
func seedApplications(f *appstest.Fakes) {
	f.AddApplication(postgres.Application{ID: "app-oak", TenantID: "north", ApplicantID: ann.ID, SettingReference: "URN-100",
		SettingName: "Oak Primary", Track: "caring_schools", Variant: "primary"},
		workflows.Status{Stage: workflows.StagePortfolio, Next: workflows.NextStep{Action: "upload evidence and submit", Who: "applicant", DueAt: &due}})
	f.AddApplication(postgres.Application{ID: "app-elm", TenantID: "north", ApplicantID: ann.ID, SupporterID: sue.ID,
		SettingReference: "FH-7", SettingName: "The Elm household", Track: "learning_homes", Variant: "foster_carer"},
		workflows.Status{Stage: workflows.StageAwarded})
	f.AddApplication(postgres.Application{ID: "app-bob", TenantID: "north", ApplicantID: bob.ID, SettingReference: "URN-200",
		SettingName: "Birch Academy", Track: "caring_schools", Variant: "secondary"}, workflows.Status{})
	f.AddApplication(postgres.Application{ID: "app-east", TenantID: "east", ApplicantID: eve.ID, SettingReference: "URN-300",
		SettingName: "Eastern School", Track: "caring_schools", Variant: "primary"}, workflows.Status{})
}

// TestYourApplications: the list shows each of the person's applications with its setting,
// stage tag, next action, due date and who acts, links to each, and nobody else's.
func TestYourApplications(t *testing.T) {
	f := appstest.New()
	seedApplications(f)
	e := newTestServer(t, ann, f)
	r := e.get("/applications")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Your applications" {
		t.Fatalf("h1 %q", heading(r))
	}
	// One summary card each (a table would not fit a phone).
	rows := findAll(r.doc, hasClass("govuk-summary-card"))
	if len(rows) != 2 {
		t.Fatalf("want Ann's 2 applications, got %d cards", len(rows))
	}
	var oak *htmlNode
	for _, row := range rows {
		if strings.Contains(text(row), "Oak Primary") {
			oak = row
		}
	}
	if oak == nil {
		t.Fatal("no card for Oak Primary")
	}
	for _, want := range []string{"Oak Primary", "URN-100", "Caring Schools", "Gathering evidence", "upload evidence and submit", "15 October 2026", "You"} {
		if !strings.Contains(text(oak), want) {
			t.Errorf("the Oak card does not say %q: %s", want, text(oak))
		}
	}
	tag := first(oak, hasClass("govuk-tag"))
	if tag == nil || text(tag) != "Gathering evidence" || !hasClass("govuk-tag--blue")(tag) {
		t.Errorf("stage tag: %q", text(tag))
	}
	if !hasLink(r, "/applications/app-oak") || !hasLink(r, "/applications/app-elm") {
		t.Errorf("no links to the applications: %v", links(r))
	}
	mustSay(t, r, "The Elm household", "Awarded")
	mustNotSay(t, r, "Birch Academy", "Eastern School")
	if !hasLink(r, "/applications/new") {
		t.Error("no link to register a setting")
	}
	if cur := first(r.doc, hasClass("govuk-service-navigation__item--active")); !strings.Contains(text(cur), "Your applications") {
		t.Errorf("the navigation does not mark the page: %q", text(cur))
	}
}

// TestYourApplicationsEmpty: someone with none is told so and offered registration.
func TestYourApplicationsEmpty(t *testing.T) {
	e := newTestServer(t, ann, nil)
	r := e.get("/applications")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You have no applications yet.")
	if first(r.doc, func(n *htmlNode) bool { return n.Data == "table" }) != nil {
		t.Error("an empty table")
	}
	if !hasLink(r, "/applications/new") {
		t.Error("no link to register a setting")
	}
}

// TestYourApplicationsOfAnotherCouncil: the list is the person's council's only, even for the
// same person id.
func TestYourApplicationsOfAnotherCouncil(t *testing.T) {
	f := appstest.New()
	seedApplications(f)
	elsewhere := ann
	elsewhere.TenantID = "east"
	e := newTestServer(t, elsewhere, f)
	r := e.get("/applications")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You have no applications yet.")
	mustNotSay(t, r, "Oak Primary", "Eastern School")
}

// TestYourApplicationsUnavailable: a database that cannot answer is a 503 that says nothing
// was changed, not a crash.
func TestYourApplicationsUnavailable(t *testing.T) {
	f := appstest.New()
	f.Store.Fail("Applications", errors.New("connection refused"))
	e := newTestServer(t, ann, f)
	r := e.get("/applications")
	checkPage(t, r, http.StatusServiceUnavailable)
	if !strings.HasPrefix(heading(r), "Sorry, there is a problem") {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "nothing was changed")
	mustNotSay(t, r, "connection refused")
}
