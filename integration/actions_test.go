package integration

import (
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/devmail"
	"awardengine/workflows"
)

// An admin nudges the holder of the current step, and moves its deadline.
func TestAdminNudgesAndExtends(t *testing.T) {
	tm := newAwardTeam(t, "nudgeshire", 3)
	appID, _ := tm.portfolio(t, "NUDGE-1", "Nudge Primary", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	a := tm.waitStage(t, appID, "offered")
	holder := a.Assessment.Offer.PersonID
	addr := map[string]string{tm.ids["assessor"]: "assessor@nudgeshire.example", tm.ids["other"]: "other@nudgeshire.example"}[holder]
	eventually(t, "the offer", func() bool { return countMail(addr, "assessor_offer") == 1 })

	tm.applicant.must(403, "POST", "/v1/applications/"+appID+"/nudge", map[string]any{"reason": "hurry"})
	tm.adm.must(200, "POST", "/v1/applications/"+appID+"/nudge", map[string]any{"reason": "are you able to take it?"})
	eventually(t, "the nudge", func() bool { return countMail(addr, "assessor_offer") == 2 })

	var before, after struct {
		Next workflows.NextStep `json:"next"`
	}
	tm.adm.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &before)
	tm.adm.must(422, "POST", "/v1/applications/"+appID+"/extend", map[string]any{"working_days": 3})
	tm.adm.must(200, "POST", "/v1/applications/"+appID+"/extend", map[string]any{"working_days": 3, "reason": "assessor away this week"}).json(t, &after)
	if before.Next.DueAt == nil || after.Next.DueAt == nil || !after.Next.DueAt.After(before.Next.DueAt.Add(2*24*time.Hour)) {
		t.Fatalf("deadline %v → %v, want three working days later", before.Next.DueAt, after.Next.DueAt)
	}
	trail, err := shared.DB.AuditTrail(t.Context(), "nudgeshire", appID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range trail {
		actions = append(actions, l.Action)
	}
	for _, want := range []string{"nudged", "deadline_extended"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit trail lacks %s: %v", want, actions)
		}
	}
}

// An email that keeps failing is retried at once when an admin asks, instead of at its next
// backoff; with nothing failing, retry is refused.
func TestAdminRetriesAFailingActivityNow(t *testing.T) {
	shared.Mail.Inject(devmail.Fault{Status: 500, Times: 1000})
	defer shared.Mail.ClearFaults()
	appID, _, key := welcomeFor(t, "Rory")
	admin := as(t, shared, "demo-northshire-admin")
	// Wait until the email activity has failed twice: its next try is then 10+ seconds away.
	eventually(t, "two failed attempts", func() bool {
		d, err := shared.Client.DescribeWorkflowExecution(t.Context(), workflows.WorkflowID(appID), "")
		if err != nil {
			return false
		}
		for _, pa := range d.GetPendingActivities() {
			if pa.GetActivityType().GetName() == "SendEmail" && pa.GetAttempt() >= 3 {
				return true
			}
		}
		return false
	})
	shared.Mail.ClearFaults()
	asked := time.Now()
	admin.must(200, "POST", "/v1/applications/"+appID+"/retry", nil)
	requireExactlyOnce(t, key, 30*time.Second)
	if waited := time.Since(asked); waited > 15*time.Second {
		t.Fatalf("delivered %s after the retry: it waited for the backoff", waited)
	}
	admin.must(409, "POST", "/v1/applications/"+appID+"/retry", nil)
	as(t, shared, "demo-northshire-applicant").must(403, "POST", "/v1/applications/"+appID+"/retry", nil)
}
