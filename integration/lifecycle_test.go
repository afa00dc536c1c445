package integration

import (
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// holderOf is the client of whoever the application is offered to.
func (tm *awardTeam) holderOf(t testing.TB, a assessedApp) *client {
	t.Helper()
	switch a.Assessment.Offer.PersonID {
	case tm.ids["assessor"]:
		return tm.assessor
	case tm.ids["other"]:
		return tm.other
	}
	t.Fatalf("offered to an unknown person %s", a.Assessment.Offer.PersonID)
	return nil
}

// toAward takes a submitted application through offer, assessment (every standard rated at
// level) and moderation to its award.
func (tm *awardTeam) toAward(t *testing.T, appID string, codes []string, level string) *client {
	t.Helper()
	a := tm.waitStage(t, appID, "offered")
	holder := tm.holderOf(t, a)
	holder.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	holder.must(200, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes, level), "feedback": "Well evidenced."})
	eventually(t, "moderation or decision", func() bool {
		a = tm.get(t, appID)
		return a.Stage == "awarded" || (a.Assessment.Moderation != nil && a.Assessment.Moderation.ModeratorID != "")
	})
	if a.Stage != "awarded" {
		tm.moderator.must(200, "POST", "/v1/applications/"+appID+"/moderation", map[string]any{"decision": "confirm"})
	}
	tm.waitStage(t, appID, "awarded")
	return holder
}

// lifecycleView is an application with its lifecycle (package structs).
type lifecycleView = structs.Application

func (tm *awardTeam) life(t *testing.T, appID string) lifecycleView {
	t.Helper()
	var v lifecycleView
	tm.adm.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &v)
	return v
}

// A holder reapplies at a higher level with the previous portfolio carried forward: the old
// award's reminders pause, the new decision replaces it.
func TestReapplyAtAHigherLevelWithCarriedEvidence(t *testing.T) {
	tm := newAwardTeam(t, "reapplyshire", 3)
	oldID, silver := tm.portfolio(t, "RE-1", "Reapply Primary", award.Silver)
	tm.applicant.must(200, "POST", "/v1/applications/"+oldID+"/submit", map[string]any{"target_level": "silver"})
	firstAssessor := tm.toAward(t, oldID, silver, "silver")

	// Only an award held can be reassessed, and only by its applicant or an admin.
	tm.assessor.must(404, "POST", "/v1/applications/"+oldID+"/reapply", map[string]any{"carry_forward": true})
	var created struct {
		ID string `json:"id"`
	}
	tm.applicant.must(201, "POST", "/v1/applications/"+oldID+"/reapply", map[string]any{"carry_forward": true}).json(t, &created)
	newID := created.ID
	nv := tm.life(t, newID)
	if nv.PreviousAward == nil || nv.PreviousAward.ApplicationID != oldID {
		t.Fatalf("previous award = %+v", nv.PreviousAward)
	}
	if len(nv.Evidence) != len(silver) {
		t.Fatalf("carried %d items, want %d", len(nv.Evidence), len(silver))
	}
	for _, e := range nv.Evidence {
		if e.CarriedFrom != oldID {
			t.Fatalf("evidence %s carried from %q", e.ID, e.CarriedFrom)
		}
	}
	if len(nv.Missing["silver"]) != 0 || len(nv.Missing["gold"]) == 0 {
		t.Fatalf("missing = %v: silver should be covered by the carried evidence, gold not yet", nv.Missing)
	}
	eventually(t, "the old award's reminders to pause", func() bool {
		l := tm.life(t, oldID).Lifecycle
		return l != nil && l.Reassessment == newID
	})
	if s := tm.life(t, oldID).Stage; s != "awarded" {
		t.Fatalf("the old award is %q during the reassessment, want still awarded", s)
	}

	// Gold needs more: evidence for the gold-only standards; a lower target is refused.
	for _, code := range nv.Missing["gold"] {
		tm.applicant.uploadEvidence(newID, code+"-gold.pdf", pdf(code+"gold"), code)
	}
	tm.applicant.must(422, "POST", "/v1/applications/"+newID+"/submit", map[string]any{"target_level": "bronze"})
	tm.applicant.must(200, "POST", "/v1/applications/"+newID+"/submit", map[string]any{"target_level": "gold"})
	a := tm.waitStage(t, newID, "offered")
	if holder := tm.holderOf(t, a); holder == firstAssessor {
		t.Fatal("the setting's previous assessor was offered its reassessment")
	}
	var fw award.Framework
	tm.applicant.must(200, "GET", "/v1/applications/"+newID+"/framework", nil).json(t, &fw)
	var gold []string
	for _, s := range fw.StandardsFor(award.Gold) {
		gold = append(gold, s.Code)
	}
	tm.toAward(t, newID, gold, "gold")
	if a := tm.get(t, newID); a.Assessment.Decision != "gold" {
		t.Fatalf("reassessment decided %q", a.Assessment.Decision)
	}
	eventually(t, "the old award to be superseded", func() bool {
		v := tm.life(t, oldID)
		return v.Stage == "superseded" && v.Lifecycle.SupersededBy == newID
	})
	captureHistory(t, newID, "reassessed_higher")
}

// Withdrawing mid-assessment stops everything and gives the assessor their capacity back.
func TestWithdrawMidAssessmentReleasesTheAssessor(t *testing.T) {
	tm := newAwardTeam(t, "withdrawshire", 1)
	appID, codes := tm.portfolio(t, "WD-1", "Withdraw Primary", award.Bronze)
	_ = codes
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	a := tm.waitStage(t, appID, "offered")
	holder := tm.holderOf(t, a)
	holder.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	open := func() int {
		var roster struct {
			Assessors []postgres.AssessorProfile `json:"assessors"`
		}
		tm.adm.must(200, "GET", "/v1/roster", nil).json(t, &roster)
		n := 0
		for _, p := range roster.Assessors {
			n += p.Open
		}
		return n
	}
	if n := open(); n != 1 {
		t.Fatalf("open assessments before withdrawal: %d", n)
	}
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/withdraw", map[string]any{"reason": "moving to another authority"})
	if n := open(); n != 0 {
		t.Fatalf("open assessments after withdrawal: %d, want 0 (capacity released)", n)
	}
	holder.must(404, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes, "bronze"), "feedback": "x"})
	eventually(t, "the withdrawal email", func() bool { return countMail("applicant@withdrawshire.example", "withdrawal") == 1 })
}

// With a tenant's short validity and retention, an award lapses on the real stack and, once
// retention passes, its evidence leaves MinIO and PostgreSQL.
func TestAwardLapsesThenRetentionErasesItsData(t *testing.T) {
	tm := newAwardTeam(t, "lapseshire", 3)
	s := award.DefaultSettings()
	s.AwardValidFor = 15 * time.Second
	s.RetainFor = 5 * time.Second
	if err := shared.DB.SetTenantSettings(t.Context(), "lapseshire", s); err != nil {
		t.Fatal(err)
	}
	appID, codes := tm.portfolio(t, "LAPSE-1", "Lapse Primary", award.Bronze)
	keys := objectKeys(t, "lapseshire", appID)
	if len(keys) == 0 {
		t.Fatal("no evidence objects")
	}
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	tm.toAward(t, appID, codes, "bronze")
	deadline := time.Now().Add(90 * time.Second)
	for tm.life(t, appID).Stage != "lapsed" {
		if time.Now().After(deadline) {
			t.Fatal("the award did not lapse")
		}
		time.Sleep(500 * time.Millisecond)
	}
	eventually(t, "the lapse notice", func() bool { return countMail("applicant@lapseshire.example", "award_lapsed") == 1 })
	for time.Now().Before(deadline) {
		if l := tm.life(t, appID).Lifecycle; l != nil && l.Erased {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if l := tm.life(t, appID).Lifecycle; l == nil || !l.Erased {
		t.Fatal("not erased after the retention period")
	}
	for _, k := range keys {
		if ok, err := shared.Objects.Exists(t.Context(), k); err != nil || ok {
			t.Fatalf("object %s still in storage (err %v)", k, err)
		}
	}
	if n := len(objectKeys(t, "lapseshire", appID)); n != 0 {
		t.Fatalf("%d evidence rows left", n)
	}
	captureHistory(t, appID, "lapsed_and_erased")
}

func objectKeys(t *testing.T, tenant, appID string) []string {
	t.Helper()
	rows, err := shared.DB.Pool().Query(t.Context(), `SELECT object_key FROM evidence WHERE tenant_id=$1 AND application_id=$2`, tenant, appID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(k, "/"+appID+"/") {
			t.Fatalf("object key %s outside the application's prefix", k)
		}
		out = append(out, k)
	}
	return out
}
