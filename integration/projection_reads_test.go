package integration

import (
	"testing"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// Reads and access checks from the projection on the real stack (issue 16): the journey writes
// who holds an application in the step that changes it, so the access checks that read it are
// as strict as the journey: the assessor offered it holds it, a former assessor loses it with
// the reassignment, and the moderation queue's columns are written by the journey's steps.
func TestProjectionReadsOnTheRealStack(t *testing.T) {
	tm := newAwardTeam(t, "projshire", 3)
	appID, codes, evidenceID := tm.submittedSilver(t, "PROJ-1", "Projection Primary")
	download := "/v1/applications/" + appID + "/evidence/" + evidenceID + "/download"

	row := func() postgres.Application {
		t.Helper()
		a, err := shared.DB.Application(t.Context(), tm.tenant, appID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := tm.waitStage(t, appID, "offered")
	first, firstID := tm.holderOf(t, a), a.Assessment.Offer.PersonID
	if r := row(); r.Stage != "offered" || r.AssessorID != firstID || r.NextWho != "assessor" || r.DueAt == nil {
		t.Fatalf("offered: projection %+v", r)
	}
	first.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	first.must(200, "GET", "/v1/applications/"+appID, nil)
	first.must(200, "GET", download, nil)

	// Reassigned: the former assessor loses it at once, reads and actions alike.
	tm.adm.must(200, "POST", "/v1/applications/"+appID+"/reassign", map[string]any{"reason": "rebalancing work"})
	if r := row(); r.AssessorID == firstID || r.AssessorName != "" {
		t.Fatalf("reassigned: projection %+v", r)
	}
	first.must(404, "GET", "/v1/applications/"+appID, nil)
	first.must(404, "GET", download, nil)
	first.must(404, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes, "gold"), "feedback": "x"})

	// Offered to the other assessor, assessed, moderated: the queue's columns are the journey's.
	var second *client
	eventually(t, "the next offer", func() bool {
		a = tm.get(t, appID)
		return a.Stage == "offered" && a.Assessment.Offer != nil && a.Assessment.Offer.PersonID != firstID
	})
	second = tm.holderOf(t, a)
	second.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	second.must(200, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes, "silver"), "feedback": "Well evidenced."})
	eventually(t, "a moderator", func() bool { r := row(); return r.Stage == "moderation" && r.ModeratorID != "" })
	r := row()
	if r.ModeratorID != tm.ids["moderator"] || r.NextWho != "moderator" || r.Recommended != "silver" || r.AssessorName == "" ||
		len(r.ModerationReasons) == 0 || r.DueAt == nil {
		t.Fatalf("moderation: projection %+v", r)
	}
	tm.moderator.must(200, "GET", "/v1/applications/"+appID, nil)
	tm.moderator.must(200, "POST", "/v1/applications/"+appID+"/moderation", map[string]any{"decision": "confirm"})
	tm.waitStage(t, appID, "awarded")
	if r := row(); r.AssessorID != "" || r.ModeratorID != "" {
		t.Fatalf("awarded: projection %+v", r)
	}
	// Decided: neither holds it any more.
	second.must(404, "GET", "/v1/applications/"+appID, nil)
	tm.moderator.must(404, "GET", "/v1/applications/"+appID, nil)
}

// submittedSilver is an application of the team's applicant with a silver portfolio, submitted:
// its id, the standards it covers and the id of its first piece of evidence.
func (tm *awardTeam) submittedSilver(t testing.TB, ref, name string) (appID string, codes []string, evidenceID string) {
	t.Helper()
	appID, codes = tm.portfolio(t, ref, name, award.Silver)
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "silver"})
	var full struct {
		Evidence []struct {
			ID string `json:"id"`
		} `json:"evidence"`
	}
	tm.applicant.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &full)
	return appID, codes, full.Evidence[0].ID
}
