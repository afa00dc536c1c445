package workflows

import (
	"awardengine/activities"
	"awardengine/email"

	"go.temporal.io/sdk/workflow"
)

// DigestWorkflow sends one person's reminders of one day as one email: it waits until the
// digest's send time (fixed by the day's first reminder), then sends whatever the day
// gathered. Reminders arriving after that join the next day's digest (see
// postgres.QueueDigestItem), so nobody gets two reminder emails in a day.
func DigestWorkflow(ctx workflow.Context, in activities.DigestInput) error {
	if wait := in.SendAt.Sub(workflow.Now(ctx)); wait > 0 {
		if err := workflow.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	actx := workflow.WithActivityOptions(ctx, emailOptions)
	return workflow.ExecuteActivity(actx, (*activities.Activities).SendDigest, in).Get(ctx, nil)
}

// sendReminder queues a reminder for its person's daily digest instead of sending it at once:
// reminders to one person on one day are merged into one email (SPEC §3 rules). Like every
// email it never blocks the journey.
func (j *journey) sendReminder(ctx workflow.Context, step, kind, personID string, data email.Data) {
	if personID == "" {
		return
	}
	// Journeys started before digests existed sent reminders at once; they keep doing so.
	if workflow.GetVersion(ctx, "reminder-digest", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		j.sendEmail(ctx, step, kind, personID, data)
		return
	}
	in := activities.ReminderInput{
		EmailInput: activities.EmailInput{
			DedupeKey: j.in.ApplicationID + "/" + step + "/" + kind + "/" + personID, TenantID: j.in.TenantID,
			ApplicationID: j.in.ApplicationID, Kind: kind, RecipientID: personID, Data: data,
		},
		Delay: j.in.Settings.DigestDelay,
	}
	if j.lean(ctx) && workflow.GetVersion(ctx, "reminder-local", workflow.DefaultVersion, 1) >= 1 {
		j.emails = append(j.emails, j.queueReminderLocally(ctx, in))
		return
	}
	actx := workflow.WithActivityOptions(ctx, emailOptions)
	j.emails = append(j.emails, workflow.ExecuteActivity(actx, (*activities.Activities).QueueReminder, in))
}

// queueReminderLocally queues a reminder by a local activity, in the workflow task its timer
// woke: no activity task and no second workflow task per reminder (issue 16: 1,000 reminders
// falling due in one minute queue for the server's turn). Should the local activity fail its
// few quick tries, a regular activity takes over with the email retry policy, so a short
// outage never loses a reminder; QueueReminder is idempotent (its dedupe key), so a local
// attempt that wrote before failing is not queued twice.
func (j *journey) queueReminderLocally(ctx workflow.Context, in activities.ReminderInput) workflow.Future {
	done, settle := workflow.NewFuture(ctx)
	local := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localReminderOptions), activityQueueReminder, in)
	workflow.Go(ctx, func(ctx workflow.Context) {
		err := local.Get(ctx, nil)
		if err != nil {
			actx := workflow.WithActivityOptions(ctx, emailOptions)
			err = workflow.ExecuteActivity(actx, (*activities.Activities).QueueReminder, in).Get(ctx, nil)
		}
		settle.Set(nil, err)
	})
	return done
}
