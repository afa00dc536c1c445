package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
)

// Reassessment signals: a later application of the same setting tells the award it may replace.
const SignalReassessment = "reassessment"

// Events of a reassessment.
const (
	ReassessmentStarted = "started" // registered or resubmitted: the award's reminders pause
	ReassessmentEnded   = "ended"   // withdrawn, closed or "not yet": reminders resume
	ReassessmentAwarded = "awarded" // a new award replaces this one
)

// ReassessmentSignal is one event of a reassessment.
type ReassessmentSignal struct {
	ApplicationID string
	Event         string
}

// Update names of the lifecycle.
const UpdateLegalHold = "legal_hold"

// LegalHoldRequest sets or lifts a legal hold (admins).
type LegalHoldRequest struct {
	Actor  Actor
	On     bool
	Reason string
}

// lifecycleTimers are the award's reassessment reminders and its expiry, and the erasure of a
// closed journey.
func (j *journey) lifecycleTimers() []timer {
	a, l := &j.st.Assessment, &j.st.Life
	var out []timer
	if j.st.Stage == StageAwarded && a.ExpiresAt != nil && l.Reassessment == "" && l.RemindersPlanned {
		for _, m := range j.in.Settings.ReassessmentReminderMonths {
			at := a.ExpiresAt.AddDate(0, -m, 0)
			if slices.Contains(l.RemindersDone, m) || (a.DecidedAt != nil && !at.After(*a.DecidedAt)) {
				continue // sent, or already past when the award was made
			}
			m := m
			out = append(out, timer{at, func() error { return j.remindReassessment(m) }})
		}
	}
	if j.st.Stage.Closed() && l.RetainUntil != nil && !l.Erased && !l.LegalHold {
		out = append(out, timer{*l.RetainUntil, j.erase})
	}
	return out
}

func (j *journey) remindReassessment(months int) error {
	a, l := &j.st.Assessment, &j.st.Life
	l.RemindersDone = append(l.RemindersDone, months)
	data := j.mailData()
	data.Months, data.Level, data.ExpiresOn = months, a.Decision.Title(), longDate(*a.ExpiresAt)
	step := fmt.Sprintf("reassessment-%d", months)
	j.sendReminder(j.ctx, step, "reassessment_reminder", j.in.ApplicantID, data)
	j.sendReminder(j.ctx, step, "reassessment_reminder_supporter", j.in.SupporterID, data)
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "reassessment_reminder_sent", Detail: map[string]any{"months": months}})
}

// finished says whether the workflow may end: closed, and erased (or from before retention).
func (j *journey) finished() bool {
	return j.st.Stage.Closed() && (j.st.Life.Erased || j.retentionDone)
}

// beginRetention fixes, once a journey has closed, when its data is erased. Journeys closed
// by code from before retention existed simply end, as they did then.
func (j *journey) beginRetention() {
	l := &j.st.Life
	if !j.st.Stage.Closed() || l.RetainUntil != nil || j.retentionDone {
		return
	}
	if workflow.GetVersion(j.ctx, "retention", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		j.retentionDone = true
		return
	}
	closed := workflow.Now(j.ctx)
	if j.st.ClosedAt != nil {
		closed = *j.st.ClosedAt
	}
	until := j.in.Settings.RetainUntil(closed)
	l.RetainUntil = &until
}

// erase deletes the evidence and personal data of the closed journey (a legal hold stops it).
func (j *journey) erase() error {
	l := &j.st.Life
	var res activities.EraseResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, localWriteOptions), (*activities.Activities).EraseApplication,
		activities.EraseInput{TenantID: j.in.TenantID, ApplicationID: j.in.ApplicationID, Seq: j.st.Seq}).Get(j.ctx, &res)
	if err != nil {
		return err
	}
	if res.Held {
		// The database says an admin holds it; the journey follows (and waits for the lift).
		l.LegalHold = true
		return nil
	}
	now := workflow.Now(j.ctx)
	l.Erased, l.ErasedAt = true, &now
	for i := range j.st.Evidence {
		j.st.Evidence[i].Filename, j.st.Evidence[i].Note = "erased", ""
	}
	return nil
}

// --- legal hold ---

func (j *journey) validateLegalHold(_ workflow.Context, r LegalHoldRequest) error {
	if r.Actor.Role != RoleAdmin {
		return refuse(ErrForbidden, "only an admin may set or lift a legal hold")
	}
	if r.On && r.Reason == "" {
		return refuse(ErrInvalid, "reason: say why the data must be kept")
	}
	if j.st.Life.Erased {
		return refuse(ErrWrongStage, "the application's data has already been erased")
	}
	return nil
}

func (j *journey) legalHold(ctx workflow.Context, r LegalHoldRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.validateLegalHold(ctx, r); err != nil {
		return Status{}, err
	}
	l := &j.st.Life
	l.LegalHold, l.LegalReason = r.On, r.Reason
	hold := activities.LegalHoldInput{TenantID: j.in.TenantID, ApplicationID: j.in.ApplicationID, On: r.On, Reason: r.Reason}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, localWriteOptions), (*activities.Activities).SetLegalHold, hold).Get(ctx, nil); err != nil {
		return Status{}, err
	}
	action := "legal_hold_lifted"
	if r.On {
		action = "legal_hold_set"
	}
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: action, Detail: map[string]any{"reason": r.Reason}}); err != nil {
		return Status{}, err
	}
	return j.status(), nil
}

// --- reassessment ---

// listenForReassessment handles the signals of a later application of the same setting.
func (j *journey) listenForReassessment() {
	ch := workflow.GetSignalChannel(j.ctx, SignalReassessment)
	j.reassessments = ch
	workflow.Go(j.ctx, func(ctx workflow.Context) {
		for {
			var s ReassessmentSignal
			ch.Receive(ctx, &s)
			j.onReassessment(ctx, s)
		}
	})
}

// drainReassessments applies signals that arrived but were not yet handled (before the
// journey continues as new, so none is lost).
func (j *journey) drainReassessments() {
	if j.reassessments == nil {
		return
	}
	var s ReassessmentSignal
	for j.reassessments.ReceiveAsync(&s) {
		j.onReassessment(j.ctx, s)
	}
}

func (j *journey) onReassessment(ctx workflow.Context, s ReassessmentSignal) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return
	}
	defer unlock()
	l := &j.st.Life
	if j.st.Stage != StageAwarded {
		return // lapsed or closed meanwhile: nothing to pause or replace
	}
	now := workflow.Now(ctx)
	switch s.Event {
	case ReassessmentStarted:
		l.Reassessment = s.ApplicationID
	case ReassessmentEnded:
		if l.Reassessment != s.ApplicationID {
			return
		}
		l.Reassessment = ""
		// Reminders whose date passed while paused are not sent late: the next one comes.
		for _, m := range j.in.Settings.ReassessmentReminderMonths {
			if !j.st.Assessment.ExpiresAt.AddDate(0, -m, 0).After(now) && !slices.Contains(l.RemindersDone, m) {
				l.RemindersDone = append(l.RemindersDone, m)
			}
		}
	case ReassessmentAwarded:
		l.Reassessment, l.SupersededBy = "", s.ApplicationID
		j.st.Stage = StageSuperseded
		j.st.ClosedAt = &now
	default:
		return
	}
	_ = j.record(ctx, nil, activities.Audit{Actor: RoleSystem, Action: "reassessment_" + s.Event,
		Detail: map[string]any{"application": s.ApplicationID}})
}

// tellPrevious tells the award this application may replace what happened. The award's
// journey may have ended (lapsed and erased): then there is nobody to tell.
func (j *journey) tellPrevious(ctx workflow.Context, event string) {
	if j.in.Previous == nil {
		return
	}
	_ = workflow.SignalExternalWorkflow(ctx, WorkflowID(j.in.Previous.ApplicationID), "", SignalReassessment,
		ReassessmentSignal{ApplicationID: j.in.ApplicationID, Event: event}).Get(ctx, nil)
}

// carryForward starts a reassessment's portfolio with the previous one's evidence: the same
// stored objects (still immutable), re-mappable until submission.
func (j *journey) carryForward() []activities.Evidence {
	now := workflow.Now(j.ctx)
	var out []activities.Evidence
	for _, e := range j.in.Carried {
		e.ID = e.ID + "-" + j.in.ApplicationID
		e.CarriedFrom = j.in.Previous.ApplicationID
		e.State, e.Immutable, e.SubmittedAt, e.RemovedAt = activities.EvidenceConfirmed, false, nil, nil
		e.Standards = j.knownStandards(e.Standards)
		e.CreatedAt, e.ConfirmedAt = now, &now
		out = append(out, e)
	}
	return out
}

// knownStandards keeps the codes the current framework version still has.
func (j *journey) knownStandards(codes []string) []string {
	out := []string{}
	for _, c := range codes {
		if slices.ContainsFunc(j.in.Framework.Standards, func(s StandardRef) bool { return s.Code == c }) {
			out = append(out, c)
		}
	}
	return out
}

func (j *journey) lifecycleView() *Lifecycle {
	if j.st.Assessment.DecidedAt == nil && !j.st.Stage.Closed() {
		return nil
	}
	l := j.st.Life
	l.RemindersDone = slices.Clone(l.RemindersDone)
	return &l
}

func (j *journey) previousID() string {
	if j.in.Previous == nil {
		return ""
	}
	return j.in.Previous.ApplicationID
}

func (j *journey) previousLevel() string {
	if j.in.Previous == nil {
		return ""
	}
	return j.in.Previous.Level.String()
}
