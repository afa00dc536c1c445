package workflows_test

import (
	"testing"

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
