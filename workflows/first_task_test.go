package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workflows"
)

// An update that arrives with the journey's start (in its first workflow task) must act on the
// registered journey, not be overwritten by registration after it has answered success.
func TestAnUpdateArrivingWithTheStartActsAfterRegistration(t *testing.T) {
	h := newHarness(t)
	var o *outcome
	h.at(0, func() {
		o = h.update(workflows.UpdateWithdraw, workflows.WithdrawRequest{
			Actor: workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}, Reason: "changed my mind"})
	})
	h.run(input(award.VariantPrimary))

	require.NotNil(t, o)
	require.True(t, o.done)
	require.NoError(t, o.err)
	require.Equal(t, "toolkit", h.records[0].Stage, "registration is recorded first")
	require.Equal(t, "registered", h.records[0].Audit[0].Action)
	var withdrawn bool
	for _, r := range h.records {
		for _, a := range r.Audit {
			if a.Action == "withdrawn" {
				withdrawn = true
				require.Equal(t, "withdrawn", r.Stage)
			}
		}
	}
	require.True(t, withdrawn, "the withdrawal is recorded after registration")
	require.Equal(t, "withdrawn", h.records[len(h.records)-1].Stage)
	require.Len(t, h.sent("withdrawal"), 1)
}

// A step the journey runs by itself whose data the database refuses for good neither ends the
// journey nor loops: it waits, and people can still act on the journey.
func TestATimerStepFailingForGoodLeavesTheJourneyUsable(t *testing.T) {
	h := newHarness(t)
	failures := 0
	h.failRecord = func(in activities.RecordInput) error {
		for _, a := range in.Audit {
			if a.Action == "toolkit_nudge_sent" {
				failures++
				return temporal.NewNonRetryableApplicationError("22021: invalid byte sequence", activities.ErrData, nil)
			}
		}
		return nil
	}
	h.withdrawAt(20 * day) // after the 14-day toolkit nudge failed
	h.run(input(award.VariantPrimary))

	require.Equal(t, 1, failures, "the nudge's state moved on: it is not tried again in a loop")
	require.Equal(t, "withdrawn", h.records[len(h.records)-1].Stage)
	require.Len(t, h.sent("withdrawal"), 1)
}

// The API answers a registration without waiting for the journey's first workflow task, so a
// client's next action (declaring evidence) can arrive in that task: its validator runs as the
// handlers are installed and must see the registered stage, not an empty one.
func TestEvidenceDeclaredWithTheStartIsAccepted(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	code := standardsFor(in, award.Bronze)[0]
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	var o *outcome
	h.at(0, func() {
		o = h.update(workflows.UpdateAddEvidence, workflows.AddEvidenceRequest{Actor: me, Filename: "plan.pdf",
			ContentType: "application/pdf", Size: 100, SHA256: sha(1), Standards: []string{code}})
	})
	h.withdrawAt(time.Hour)
	h.run(in)

	require.NotNil(t, o)
	require.True(t, o.done)
	require.False(t, o.rejected, "refused: %v", o.err)
	require.NoError(t, o.err)
	require.Equal(t, "registered", h.records[0].Audit[0].Action, "registration is recorded first")
}
