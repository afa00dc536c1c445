package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/deploy/stack"
)

// bronzeStandards reads the application's framework through the API.
func bronzeStandards(t *testing.T, c *client, appID string) []string {
	var fw award.Framework
	c.must(200, "GET", "/v1/applications/"+appID+"/framework", nil).json(t, &fw)
	var out []string
	for _, s := range fw.StandardsFor(award.Bronze) {
		out = append(out, s.Code)
	}
	if len(out) == 0 {
		t.Fatal("framework has no bronze standards")
	}
	return out
}

func TestRegistrationToSubmissionThroughTheAPI(t *testing.T) {
	registrationToSubmission(t, shared)
}

// registrationToSubmission is the main journey's flow on stack s (also run with Temporal on
// PostgreSQL: postgres_temporal_test.go).
func registrationToSubmission(t *testing.T, s *stack.Stack) {
	applicant := as(t, s, "demo-northshire-applicant")

	var app application
	applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "URN-IT-100", "setting_name": "Brook Lane Primary School",
		"track": "caring_schools", "variant": "primary", "supporter_email": "supporter@northshire.example",
	}).json(t, &app)
	if app.Stage != "toolkit" {
		t.Fatalf("after registration: stage %q", app.Stage)
	}

	// Toolkit: short-lived links to the variant's documents; opening is recorded.
	var kit struct {
		Documents []struct{ Filename, URL string } `json:"documents"`
	}
	applicant.must(200, "GET", "/v1/applications/"+app.ID+"/toolkit", nil).json(t, &kit)
	if len(kit.Documents) == 0 {
		t.Fatal("no toolkit documents")
	}
	resp, err := http.Get(kit.Documents[0].URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("downloading the toolkit: %v %v", err, resp)
	}
	resp.Body.Close()

	// Evidence for every bronze standard, bytes straight to MinIO, then confirmed.
	standards := bronzeStandards(t, applicant, app.ID)
	for _, code := range standards {
		applicant.uploadEvidence(app.ID, code+".pdf", pdf(code), code)
	}
	// An extra item, re-mapped and then removed before submission.
	extra := applicant.uploadEvidence(app.ID, "extra.pdf", pdf("extra"), standards[0])
	applicant.must(200, "PUT", "/v1/applications/"+app.ID+"/evidence/"+extra+"/standards", map[string]any{"standards": standards[:2]})
	applicant.must(204, "DELETE", "/v1/applications/"+app.ID+"/evidence/"+extra, nil)

	applicant.must(200, "GET", "/v1/applications/"+app.ID, nil).json(t, &app)
	if app.Stage != "portfolio" || len(app.Evidence) != len(standards) || len(app.Missing["bronze"]) != 0 {
		t.Fatalf("before submission: stage %q, %d items, missing %v", app.Stage, len(app.Evidence), app.Missing["bronze"])
	}

	applicant.must(200, "POST", "/v1/applications/"+app.ID+"/submit", map[string]any{"target_level": "bronze"}).json(t, &app)
	if app.Stage != "awaiting_allocation" || app.TargetLevel != "bronze" {
		t.Fatalf("after submission: %+v", app)
	}
	for _, e := range app.Evidence {
		if !e.Immutable || e.State != "confirmed" {
			t.Fatalf("submitted evidence must be confirmed and immutable: %+v", e)
		}
	}
	// Submitted evidence cannot change, in the journey or in the database.
	r := applicant.do("DELETE", "/v1/applications/"+app.ID+"/evidence/"+app.Evidence[0].ID, nil)
	if r.Status != http.StatusConflict {
		t.Fatalf("removing submitted evidence: %d %s", r.Status, r.Body)
	}
	_, err = s.DB.Pool().Exec(t.Context(), `UPDATE evidence SET filename='x' WHERE id=$1`, app.Evidence[0].ID)
	if err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("the database let submitted evidence change: %v", err)
	}

	// Each email arrives exactly once.
	want := map[string][]string{
		"applicant@northshire.example": {"Welcome", "received your"},
		"supporter@northshire.example": {"has registered"},
	}
	eventually(t, "emails", func() bool {
		return len(mailTo(s, "applicant@northshire.example")) >= 2 && len(mailTo(s, "supporter@northshire.example")) >= 1
	})
	time.Sleep(2 * time.Second) // a duplicate would have arrived by now
	for addr, subjects := range want {
		var mine []string
		for _, m := range mailTo(s, addr) {
			if strings.Contains(m.Text, app.ID) {
				mine = append(mine, m.Subject)
			}
		}
		if len(mine) != len(subjects) {
			t.Fatalf("%s got %d emails for this journey, want %d: %q", addr, len(mine), len(subjects), mine)
		}
		for i, sub := range subjects {
			if !strings.Contains(mine[i], sub) {
				t.Fatalf("%s email %d: subject %q, want it to contain %q", addr, i, mine[i], sub)
			}
		}
	}

	// The list (PostgreSQL projection) shows the stage, and the audit trail the steps. The
	// demo assessor is offered it at once (allocation runs on submission).
	var list struct {
		Applications []struct{ ID, Stage string } `json:"applications"`
	}
	applicant.must(200, "GET", "/v1/applications", nil).json(t, &list)
	found := false
	for _, a := range list.Applications {
		found = found || (a.ID == app.ID && (a.Stage == "awaiting_allocation" || a.Stage == "offered"))
	}
	if !found {
		t.Fatalf("list does not show the application submitted: %+v", list)
	}
	trail, err := s.DB.AuditTrail(t.Context(), "northshire", app.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range trail {
		actions = append(actions, a.Action)
	}
	for _, need := range []string{"registered", "toolkit_granted", "toolkit_opened", "evidence_confirmed", "evidence_removed", "submitted"} {
		if !strings.Contains(strings.Join(actions, ","), need) {
			t.Fatalf("audit trail lacks %q: %v", need, actions)
		}
	}
}
