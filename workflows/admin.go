package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
)

// Update names of admins' actions on a journey.
const (
	UpdateNudge  = "nudge"
	UpdateExtend = "extend"
)

// NudgeRequest resends the current step's reminder to whoever holds it.
type NudgeRequest struct {
	Actor  Actor
	Reason string
}

// ExtendRequest moves the current step's deadline; later timers (reminders, escalation) move
// with it because they are computed from it.
type ExtendRequest struct {
	Actor  Actor
	Until  time.Time
	Reason string
}

// nudgeTarget is what a nudge sends in the current stage: the message type and its recipient.
func (j *journey) nudgeTarget() (kind, person string, due *time.Time, ok bool) {
	a := &j.st.Assessment
	switch j.st.Stage {
	case StageToolkit:
		return "toolkit_nudge", j.in.ApplicantID, j.st.FirstYearDue, true
	case StagePortfolio:
		return "inactivity_nudge", j.in.ApplicantID, j.st.FirstYearDue, true
	case StageOffered:
		return "assessor_offer", a.Offer.PersonID, &a.Offer.ExpiresAt, true
	case StageAssessment:
		return "assessment_reminder", a.AssessorID, a.DueAt, true
	case StageModeration:
		if a.Moderation != nil && a.Moderation.DueAt != nil && a.Moderation.Outcome == "" {
			return "moderation_reminder", a.Moderation.ModeratorID, a.Moderation.DueAt, true
		}
	case StageNotYet:
		return "resubmission_reminder", j.in.ApplicantID, a.ResubmitBy, true
	}
	return "", "", nil, false
}

func (j *journey) validateNudge(_ workflow.Context, r NudgeRequest) error {
	if r.Actor.Role != RoleAdmin {
		return refuse(ErrForbidden, "only an admin may nudge")
	}
	if _, _, _, ok := j.nudgeTarget(); !ok {
		return refuse(ErrWrongStage, "nobody has a step to be nudged about at stage %q", j.st.Stage)
	}
	return nil
}

func (j *journey) nudge(ctx workflow.Context, r NudgeRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.validateNudge(ctx, r); err != nil {
		return Status{}, err
	}
	kind, person, due, _ := j.nudgeTarget()
	j.st.Nudges++
	data := j.mailData()
	if due != nil {
		data.DueDate = longDate(*due)
	}
	if j.st.Stage == StageOffered {
		data.Link = ""
	}
	// Sent at once (not in the digest): an admin asked for it now. The step number keeps each
	// nudge its own message, sent once.
	j.sendEmail(ctx, fmt.Sprintf("nudge-%d", j.st.Nudges), kind, person, data)
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "nudged",
		Detail: map[string]any{"to": person, "message": kind, "reason": r.Reason}}); err != nil {
		return Status{}, err
	}
	return j.status(), nil
}

// deadline points at the current step's due date, if it has one an admin may move.
func (j *journey) deadline() *time.Time {
	a := &j.st.Assessment
	switch j.st.Stage {
	case StageToolkit, StagePortfolio:
		return j.st.FirstYearDue
	case StageOffered:
		return &a.Offer.ExpiresAt
	case StageAssessment:
		return a.DueAt
	case StageModeration:
		if a.Moderation != nil && a.Moderation.Outcome == "" {
			return a.Moderation.DueAt
		}
	case StageNotYet:
		return a.ResubmitBy
	case StageAwarded:
		return a.ExpiresAt
	}
	return nil
}

func (j *journey) validateExtend(ctx workflow.Context, r ExtendRequest) error {
	if r.Actor.Role != RoleAdmin {
		return refuse(ErrForbidden, "only an admin may extend a deadline")
	}
	if r.Reason == "" {
		return refuse(ErrInvalid, "reason: say why the deadline moves")
	}
	d := j.deadline()
	if d == nil {
		return refuse(ErrWrongStage, "there is no deadline to extend at stage %q", j.st.Stage)
	}
	if !r.Until.After(*d) {
		return refuse(ErrInvalid, "until: the new deadline must be after the current one (%s)", longDate(*d))
	}
	if !r.Until.After(workflow.Now(ctx)) {
		return refuse(ErrInvalid, "until: the new deadline must be in the future")
	}
	return nil
}

func (j *journey) extend(ctx workflow.Context, r ExtendRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.validateExtend(ctx, r); err != nil {
		return Status{}, err
	}
	d := j.deadline()
	before := *d
	*d = r.Until
	// The step is no longer late: its escalation flag goes, and fires again only if the new
	// date passes too.
	a := &j.st.Assessment
	j.st.Extended = true
	switch j.st.Stage {
	case StageAssessment:
		a.Overdue, a.Reminded = false, nil
		j.unflag(FlagAssessmentOverdue)
	case StageModeration:
		a.Moderation.Overdue, a.Moderation.Reminded = false, nil
		j.unflag(FlagModerationOverdue)
	case StageToolkit, StagePortfolio:
		j.st.FirstYearOverdue = false
		j.unflag(FlagFirstYearOverdue)
	}
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "deadline_extended",
		Detail: map[string]any{"stage": j.st.Stage, "from": before, "to": r.Until, "reason": r.Reason}}); err != nil {
		return Status{}, err
	}
	return j.status(), nil
}

// extended names a reminder step after its due date once an admin has moved a deadline, so
// the reminders of the new date are messages of their own (the old ones were sent once).
func (j *journey) extended(due time.Time) string {
	if !j.st.Extended {
		return ""
	}
	return "-" + due.UTC().Format("20060102")
}
