package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

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
