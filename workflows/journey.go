package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/email"
)

// journey is one running application: its input, its state and the workflow context.
type journey struct {
	ctx     workflow.Context
	in      ApplicationInput
	st      *State
	mu      workflow.Mutex // serialises update handlers that run activities
	changes int            // bumped by every handler, so the main loop re-plans its timers
	emails  []workflow.Future

	timer   workflow.Future // lean journeys: the pending wake-up timer (waitLean) and when it fires
	timerAt time.Time

	retentionDone bool                    // closed by code from before retention: the journey simply ends
	reassessments workflow.ReceiveChannel // signals of a later application of the same setting
}

// ApplicationWorkflow runs one application from registration onwards.
func ApplicationWorkflow(ctx workflow.Context, in ApplicationInput) (Outcome, error) {
	j := &journey{ctx: ctx, in: in, st: in.State, mu: workflow.NewMutex(ctx)}
	fresh := j.st == nil
	if fresh {
		j.st = &State{}
	}
	// An update can arrive with the start, in the journey's first workflow task, and its handler
	// may run before registration (a client that acts at once, or the on-demand start of a
	// registration whose journey was cut short). Registration would then overwrite what the
	// update did, after the update had answered success. Registration holds the journey's lock,
	// so such an update waits for it and validates again on the registered state.
	registering := fresh && workflow.GetVersion(ctx, "register-holds-lock", workflow.DefaultVersion, 1) >= 1
	if registering {
		if err := j.mu.Lock(ctx); err != nil {
			return Outcome{}, err
		}
	}
	if fresh {
		// Validators of updates delivered with the start run as the handlers are installed,
		// before register: they must see the registered stage, not an empty one (the API now
		// answers a registration without waiting for this task, so a client's next action can
		// arrive in it). Setting state issues no command, so old histories replay unchanged.
		j.registered(workflow.Now(ctx))
	}
	if err := j.registerHandlers(); err != nil {
		return Outcome{}, err
	}
	if fresh {
		if err := j.register(); err != nil {
			return Outcome{}, err
		}
	}
	if registering {
		j.mu.Unlock()
	}
	for {
		j.beginRetention()
		if j.finished() {
			break
		}
		if err := j.waitForNextEvent(); err != nil {
			return Outcome{}, err
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			// Let running handlers finish so no accepted update is lost, then carry the state over.
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return Outcome{}, err
			}
			j.drainReassessments()
			j.drainEmails()
			next := j.in
			next.State = j.st
			return Outcome{}, workflow.NewContinueAsNewError(ctx, ApplicationWorkflow, next)
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return Outcome{}, err
	}
	j.drainEmails()
	return Outcome{Stage: j.st.Stage}, nil
}

// waitForNextEvent sleeps until the next timer is due or a handler changes the state.
func (j *journey) waitForNextEvent() error {
	now := workflow.Now(j.ctx)
	seen := j.changes
	closing := func() bool { return j.st.Stage.Closed() && j.st.Life.RetainUntil == nil && !j.retentionDone }
	changed := func() bool { return j.changes != seen || closing() }
	wake, ok := j.nextWake()
	if j.lean(j.ctx) {
		return j.waitLean(wake, ok, changed)
	}
	if !ok {
		// No timer left in this stage: the stage's own deadline has already been flagged
		// to admins, who act through updates.
		return workflow.Await(j.ctx, changed)
	}
	if wake.After(now) {
		woken, err := workflow.AwaitWithTimeout(j.ctx, wake.Sub(now), changed)
		if err != nil || woken {
			return err
		}
	}
	return j.fireDueTimers()
}

// waitLean is waitForNextEvent for lean journeys: a timer already pending that falls due no
// later than the next wake is kept instead of starting another one at every change (each
// action moves the inactivity deadline; a timer per action would be an event now and a
// timer-fired event and workflow task later). A timer that fires early finds nothing due and
// the loop plans again.
func (j *journey) waitLean(wake time.Time, ok bool, changed func() bool) error {
	if !ok {
		return workflow.Await(j.ctx, changed)
	}
	if now := workflow.Now(j.ctx); wake.After(now) {
		if j.timer == nil || j.timerAt.After(wake) {
			j.timer, j.timerAt = workflow.NewTimer(j.ctx, wake.Sub(now)), wake
		}
		t := j.timer
		if err := workflow.Await(j.ctx, func() bool { return changed() || t.IsReady() }); err != nil {
			return err
		}
		if !t.IsReady() {
			return nil
		}
		j.timer = nil
		if err := t.Get(j.ctx, nil); err != nil {
			return err
		}
	}
	return j.fireDueTimers()
}

// register performs stage 1 (registration) and grants the toolkit (stage 2).
func (j *journey) register() error {
	j.registered(workflow.Now(j.ctx))
	audit := []activities.Audit{
		{Actor: j.in.RegisteredBy.ID, Action: "registered", Detail: map[string]any{
			"role": j.in.RegisteredBy.Role, "track": j.in.Track, "variant": j.in.Variant,
			"framework": j.in.Framework.ID, "framework_version": j.in.Framework.Version}},
		{Actor: RoleSystem, Action: "toolkit_granted", Detail: map[string]any{"variant": j.in.Variant}},
	}
	var carried []activities.Evidence
	if j.in.Previous != nil {
		carried = j.carryForward()
		j.st.Evidence = carried
		if len(carried) > 0 {
			j.st.Stage = StagePortfolio
		}
		audit = append(audit, activities.Audit{Actor: j.in.RegisteredBy.ID, Action: "reassessment_of", Detail: map[string]any{
			"previous": j.in.Previous.ApplicationID, "previous_level": j.in.Previous.Level.String(), "carried_evidence": len(carried)}})
	}
	if err := j.record(j.ctx, carried, audit...); err != nil {
		return err
	}
	j.tellPrevious(j.ctx, ReassessmentStarted)
	j.sendEmail(j.ctx, "registration", "welcome", j.in.ApplicantID, j.mailData())
	if j.in.SupporterID != "" {
		j.sendEmail(j.ctx, "registration", "welcome_supporter", j.in.SupporterID, j.mailData())
	}
	return nil
}

// record writes the projection, the changed evidence and audit lines for one step.
func (j *journey) record(ctx workflow.Context, changed []activities.Evidence, audit ...activities.Audit) error {
	j.st.Seq++
	next := j.next()
	in := activities.RecordInput{
		TenantID: j.in.TenantID, ApplicationID: j.in.ApplicationID, Seq: j.st.Seq, Stage: string(j.st.Stage),
		Active: !j.st.Stage.Closed() && j.st.Stage != StageAwarded, NextAction: next.Action, DueAt: next.DueAt, TargetLevel: levelName(j.st.TargetLevel),
		Flags: j.st.Flags, SubmittedAt: j.st.SubmittedAt, ClosedAt: j.st.ClosedAt, At: workflow.Now(ctx),
		Evidence: changed, Audit: audit, AssessorID: j.holder(RoleAssessor), ModeratorID: j.holder(RoleModerator),
		LevelAwarded: j.levelAwarded(), DecidedAt: j.st.Assessment.DecidedAt, NextWho: next.Who,
		ReassessmentOf: j.previousID(), PreviousLevel: j.previousLevel(),
	}
	// What the moderation queue reads from the projection. Only the activity's input changes:
	// replay-safe without a version marker.
	in.AssessorName, in.Recommended, in.ModerationReasons = j.assessmentSummary()
	if j.lean(ctx) {
		// One marker event instead of an activity's three and the workflow task that follows it.
		// A local activity's input is not serialised: it must not share slices the journey
		// changes later.
		in.Flags = slices.Clone(in.Flags)
		in.Evidence = slices.Clone(in.Evidence)
		for i := range in.Evidence {
			in.Evidence[i].Standards = slices.Clone(in.Evidence[i].Standards)
		}
		lctx := workflow.WithLocalActivityOptions(ctx, localRecordOptions)
		if err := workflow.ExecuteLocalActivity(lctx, activityRecord, in).Get(lctx, nil); err != nil {
			return err
		}
		return j.upsertChangedSearchAttributes(ctx, next)
	}
	actx := workflow.WithActivityOptions(ctx, localWriteOptions)
	if err := workflow.ExecuteActivity(actx, (*activities.Activities).Record, in).Get(actx, nil); err != nil {
		return err
	}
	return j.upsertSearchAttributes(ctx, next)
}

// lean says whether this journey keeps its history lean (issue 16): steps are written by a
// local activity (Record), search attributes are upserted only when one of them changes, and
// a staged upload is confirmed by a local activity (ConfirmUpload). Journeys that wrote steps
// before this change keep the earlier way for as long as they run, so that their histories
// replay. One change id for the three: each GetVersion costs a marker and an upsert.
func (j *journey) lean(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, "lean-history", workflow.DefaultVersion, 1) >= 1
}

// Activities run as local activities are named, not passed as method expressions: the
// replayer has no activities registered, and a name is what it can stand in for.
const (
	activityRecord          = "Record"
	activityConfirmUpload   = "ConfirmUpload"
	activityQueueReminder   = "QueueReminder"
	activityAllocate        = "Allocate"
	activitySetAssignment   = "SetAssignment"
	activityAssignModerator = "AssignModerator"
)

// write runs one of the journey's short database steps (fn, registered as name): a local
// activity on lean journeys, a regular one on journeys that began before. The input must not
// share maps or slices the journey changes later (a local activity's input is not serialised).
func (j *journey) write(ctx workflow.Context, name string, fn, in any) workflow.Future {
	if j.lean(ctx) {
		return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localRecordOptions), name, in)
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, localWriteOptions), fn, in)
}

// upsertChangedSearchAttributes upserts only the searchable values that differ from the
// journey's current ones (an upsert is a history event even when it changes nothing).
func (j *journey) upsertChangedSearchAttributes(ctx workflow.Context, next NextStep) error {
	cur := workflow.GetTypedSearchAttributes(ctx)
	var updates []temporal.SearchAttributeUpdate
	if stage, ok := cur.GetKeyword(SearchStage); !ok || stage != string(j.st.Stage) {
		updates = append(updates, SearchStage.ValueSet(string(j.st.Stage)))
	}
	if flags, _ := cur.GetKeywordList(SearchFlags); !slices.Equal(flags, j.st.Flags) && (len(flags) > 0 || len(j.st.Flags) > 0) {
		updates = append(updates, SearchFlags.ValueSet(j.st.Flags))
	}
	due, hasDue := cur.GetTime(SearchDueAt)
	switch {
	case next.DueAt != nil && (!hasDue || !due.Equal(*next.DueAt)):
		updates = append(updates, SearchDueAt.ValueSet(*next.DueAt))
	case next.DueAt == nil && hasDue:
		updates = append(updates, SearchDueAt.ValueUnset())
	}
	if len(updates) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

func (j *journey) upsertSearchAttributes(ctx workflow.Context, next NextStep) error {
	updates := []temporal.SearchAttributeUpdate{
		SearchStage.ValueSet(string(j.st.Stage)),
		SearchFlags.ValueSet(j.st.Flags),
	}
	if next.DueAt != nil {
		updates = append(updates, SearchDueAt.ValueSet(*next.DueAt))
	} else {
		updates = append(updates, SearchDueAt.ValueUnset())
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// sendEmail starts the email activity without waiting for it: journeys never block on email.
// The dedupe key makes the message unique per (journey, step, type, recipient).
func (j *journey) sendEmail(ctx workflow.Context, step, kind, personID string, data email.Data) {
	if personID == "" {
		return
	}
	actx := workflow.WithActivityOptions(ctx, emailOptions)
	key := j.in.ApplicationID + "/" + step + "/" + kind + "/" + personID
	f := workflow.ExecuteActivity(actx, (*activities.Activities).SendEmail, activities.EmailInput{
		DedupeKey: key, TenantID: j.in.TenantID, ApplicationID: j.in.ApplicationID,
		Kind: kind, RecipientID: personID, Data: data,
	})
	j.emails = append(j.emails, f)
}

// drainEmails waits for emails still being sent, so that closing the journey (or continuing
// it as new) never abandons a message. A failed message is already recorded by the activity.
func (j *journey) drainEmails() {
	for _, f := range j.emails {
		_ = f.Get(j.ctx, nil)
	}
	j.emails = nil
}

// touch records applicant activity: the inactivity clock starts again.
func (j *journey) touch(ctx workflow.Context) {
	j.st.LastActivityAt = workflow.Now(ctx)
	j.st.InactivityNudges = 0
	if j.st.Dormant {
		j.st.Dormant = false
		j.unflag(FlagDormant)
	}
	if j.st.Stage == StageToolkit && len(j.st.Evidence) > 0 {
		j.st.Stage = StagePortfolio
	}
}

func (j *journey) flag(f string) {
	if !slices.Contains(j.st.Flags, f) {
		j.st.Flags = append(j.st.Flags, f)
		slices.Sort(j.st.Flags)
	}
}

func (j *journey) unflag(f string) {
	j.st.Flags = slices.DeleteFunc(j.st.Flags, func(x string) bool { return x == f })
}

func levelName(l award.Level) string {
	if l == award.NotMet {
		return ""
	}
	return l.String()
}

// Activity options: explicit timeouts and retries. A failing dependency (database, storage,
// email provider) makes an activity retry with backoff until it is back: work pauses and
// nothing is lost.
var (
	localWriteOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		},
	}
	// The same write as a local activity: the worker runs it in the workflow task, retrying
	// with the same backoff until the database is back (retries longer than the task's
	// timeout are scheduled by the SDK as timers).
	localRecordOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		},
	}
	// A reminder queued in the timer's own workflow task: a few quick tries, then a regular
	// activity (queueReminderLocally).
	localReminderOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 4 * time.Second, MaximumAttempts: 3,
		},
	}
	emailOptions = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
		},
	}
	// Checking an upload runs while a person waits for an answer: a few tries, then a clear error.
	verifyOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second, MaximumAttempts: 3,
		},
	}
	// The staged confirm as a local activity: a stat, a 64 KiB sniff and a server-side copy.
	localVerifyOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second, MaximumAttempts: 3,
		},
	}
)
