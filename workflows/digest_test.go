package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workflows"
)

// The digest waits for its send time, then sends once.
func TestDigestWaitsForItsSendTimeThenSendsOnce(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	env.RegisterActivity(acts)
	var sentAt []time.Time
	env.OnActivity(acts.SendDigest, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DigestInput) (activities.EmailResult, error) {
			sentAt = append(sentAt, env.Now())
			return activities.EmailResult{Status: "sent"}, nil
		})
	in := activities.DigestInput{TenantID: "northshire", PersonID: "p1", Day: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		SendAt: start.Add(time.Hour)}
	env.ExecuteWorkflow(workflows.DigestWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, sentAt, 1)
	require.False(t, sentAt[0].Before(in.SendAt), "sent at %s, before its send time %s", sentAt[0], in.SendAt)
}

// Reminders carry the tenant's digest delay, so a person's reminders of a day can be merged.
func TestRemindersGoToTheDigestWithTheTenantsDelay(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	in.Settings.DigestDelay = 42 * time.Minute
	h.withdrawAt(15 * day)
	h.run(in)
	require.Len(t, h.reminders, 1)
	require.Equal(t, "toolkit_nudge", h.reminders[0].Kind)
	require.Equal(t, 42*time.Minute, h.reminders[0].Delay)
}
