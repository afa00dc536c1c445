package workflows_test

import (
	"context"
	"errors"
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

// A reminder is queued by a local activity in the workflow task its timer woke (no activity
// task of its own); when the local activity fails its quick tries, a regular activity queues
// it, so a short outage loses no reminder.
func TestRemindersAreQueuedLocallyAndFallBackToAnActivity(t *testing.T) {
	for _, outage := range []bool{false, true} {
		h := newHarness(t)
		if outage {
			h.failReminder = func(local bool) error {
				if local {
					return errors.New("the database is restarting")
				}
				return nil
			}
		}
		h.withdrawAt(15 * day)
		h.run(input(award.VariantPrimary))
		require.Len(t, h.sent("toolkit_nudge"), 1, "outage %v", outage)
		if outage {
			require.Equal(t, map[bool]int{true: 3, false: 1}, h.reminderTries, "3 local tries, then one regular activity")
		} else {
			require.Equal(t, map[bool]int{true: 1}, h.reminderTries, "one local activity, no regular one")
		}
	}
}
