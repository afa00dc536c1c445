package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
	"awardengine/email"
)

// Flags shown to admins.
const (
	FlagDormant          = "dormant"
	FlagFirstYearOverdue = "first_year_overdue"
	FlagAwaitingAssessor = "awaiting_allocation"
)

// allocationWait is how long a submitted application may wait for an assessor before admins
// are told.
const allocationWait = 7 * 24 * time.Hour

// timer is one scheduled journey event.
type timer struct {
	at   time.Time
	fire func() error
}

// timers lists the events still to come in the current stage. Each is computed from
// absolute times in the state, so a restarted worker or a replay reaches the same plan.
func (j *journey) timers() []timer {
	st, set := j.st, j.in.Settings
	var out []timer
	if st.Stage.AcceptsEvidence() {
		if st.Stage == StageToolkit && st.ToolkitOpenedAt == nil && !st.ToolkitNudged {
			out = append(out, timer{st.RegisteredAt.Add(set.ToolkitNudgeAfter), j.nudgeToolkit})
		}
		if st.InactivityNudges < set.InactivityMaxNudges {
			at := st.LastActivityAt.Add(set.InactivityNudgeAfter + time.Duration(st.InactivityNudges)*set.InactivityNudgeEvery)
			out = append(out, timer{at, j.nudgeInactive})
		}
		if !st.Dormant {
			out = append(out, timer{st.LastActivityAt.Add(set.DormantAfter), j.markDormant})
		}
		if st.FirstYearDue != nil && j.in.ApprovalDate != nil {
			for _, m := range set.FirstYearReminderMonths {
				if !slices.Contains(st.FirstYearSent, m) {
					m := m
					out = append(out, timer{j.in.ApprovalDate.AddDate(0, m, 0), func() error { return j.remindFirstYear(m) }})
				}
			}
			if !st.FirstYearOverdue {
				out = append(out, timer{*st.FirstYearDue, j.markFirstYearOverdue})
			}
		}
	}
	if st.Stage == StageAwaitingAllocation && !st.AllocationFlag && st.SubmittedAt != nil {
		out = append(out, timer{st.SubmittedAt.Add(allocationWait), j.flagAwaitingAssessor})
	}
	out = append(out, j.allocationTimers()...)
	out = append(out, j.lifecycleTimers()...)
	return append(out, j.assessmentTimers()...)
}

// nextWake is the time of the earliest pending event.
func (j *journey) nextWake() (time.Time, bool) {
	var first time.Time
	for _, t := range j.timers() {
		if first.IsZero() || t.at.Before(first) {
			first = t.at
		}
	}
	return first, !first.IsZero()
}

// fireDueTimers runs every event whose time has come, earliest first.
func (j *journey) fireDueTimers() error {
	for {
		now := workflow.Now(j.ctx)
		var due *timer
		for _, t := range j.timers() {
			if !t.at.After(now) && (due == nil || t.at.Before(due.at)) {
				t := t
				due = &t
			}
		}
		if due == nil {
			return nil
		}
		// A timer's step holds the journey's lock like an update does: while it waits for an
		// activity, an update (say, accepting the offer it is making) must not change the
		// state under it.
		// (Journeys whose history began before this lock keep running their steps without it.)
		locked := workflow.GetVersion(j.ctx, "timer-step-lock", workflow.DefaultVersion, 1) >= 1
		if locked {
			if err := j.mu.Lock(j.ctx); err != nil {
				return err
			}
		}
		err := due.fire()
		if locked {
			j.mu.Unlock()
		}
		if activities.IsDataFailure(err) {
			return j.pauseAfterDataFailure(err)
		}
		if err != nil {
			return err
		}
	}
}

// pauseAfterDataFailure keeps a journey alive when a step of its own fails for good: failing
// the run would end the journey, and retrying at once would loop. The step's failure is on the
// admins' stuck list (the worker records it) and people can still act (withdraw, for one). A
// step that changed the journey's state before it failed is not tried again (its projection and
// audit line are missing until the next step records the state); one that changed nothing is
// tried again in an hour, or sooner when an action changes the journey.
func (j *journey) pauseAfterDataFailure(err error) error {
	workflow.GetLogger(j.ctx).Error("a timer step failed for good; trying again later", "error", err)
	seen := j.changes
	_, werr := workflow.AwaitWithTimeout(j.ctx, time.Hour, func() bool { return j.changes != seen })
	return werr
}

func (j *journey) nudgeToolkit() error {
	j.st.ToolkitNudged = true
	j.sendReminder(j.ctx, "toolkit-nudge", "toolkit_nudge", j.in.ApplicantID, j.mailData())
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "toolkit_nudge_sent"})
}

func (j *journey) nudgeInactive() error {
	j.st.InactivityNudges++
	// The step names the quiet spell (when it began) and the nudge number within it.
	step := fmt.Sprintf("inactivity-%d-%d", j.st.LastActivityAt.Unix(), j.st.InactivityNudges)
	j.sendReminder(j.ctx, step, "inactivity_nudge", j.in.ApplicantID, j.mailData())
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "inactivity_nudge_sent",
		Detail: map[string]any{"nudge": j.st.InactivityNudges}})
}

func (j *journey) markDormant() error {
	j.st.Dormant = true
	j.flag(FlagDormant)
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "flagged_dormant",
		Detail: map[string]any{"last_activity_at": j.st.LastActivityAt}})
}

func (j *journey) remindFirstYear(months int) error {
	j.st.FirstYearSent = append(j.st.FirstYearSent, months)
	data := j.mailData()
	data.Months = months
	step := fmt.Sprintf("first-year-%d", months)
	j.sendReminder(j.ctx, step, "first_year_reminder", j.in.ApplicantID, data)
	j.sendReminder(j.ctx, step, "first_year_reminder_supporter", j.in.SupporterID, data)
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "first_year_reminder_sent",
		Detail: map[string]any{"months": months}})
}

func (j *journey) markFirstYearOverdue() error {
	j.st.FirstYearOverdue = true
	j.flag(FlagFirstYearOverdue)
	j.sendEmail(j.ctx, "first-year-due", "first_year_overdue", j.in.ApplicantID, j.mailData())
	j.sendEmail(j.ctx, "first-year-due", "first_year_overdue", j.in.SupporterID, j.mailData())
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "flagged_first_year_overdue"})
}

func (j *journey) flagAwaitingAssessor() error {
	j.st.AllocationFlag = true
	j.flag(FlagAwaitingAssessor)
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "flagged_awaiting_allocation"})
}

// next says what is next, who acts and by when.
func (j *journey) next() NextStep {
	st := j.st
	switch st.Stage {
	case StageToolkit:
		due := st.RegisteredAt.Add(j.in.Settings.ToolkitNudgeAfter)
		if st.FirstYearDue != nil {
			due = *st.FirstYearDue
		}
		return NextStep{Action: "Open your toolkit, then upload evidence for each standard", Who: RoleApplicant, DueAt: &due}
	case StagePortfolio:
		return NextStep{Action: "Upload evidence for each standard and submit for a level", Who: RoleApplicant, DueAt: st.FirstYearDue}
	case StageAwaitingAllocation:
		due := st.SubmittedAt.Add(allocationWait)
		if st.Assessment.NoAssessor {
			return NextStep{Action: "No eligible assessor: an admin allocates one by hand (or the roster changes)", Who: RoleAdmin, DueAt: st.Assessment.AllocateAt}
		}
		return NextStep{Action: "An assessor is being allocated", Who: RoleSystem, DueAt: &due}
	}
	if n, ok := j.nextAfterSubmission(); ok {
		return n
	}
	switch st.Stage {
	default:
		return NextStep{Action: "Nothing: the application is closed", Who: RoleSystem}
	}
}

func (j *journey) mailData() email.Data {
	d := email.Data{
		SettingName: j.in.SettingName, Reference: j.in.SettingReference, ApplicationID: j.in.ApplicationID,
		TrackTitle: j.in.Track.Title(),
	}
	if j.st.FirstYearDue != nil {
		d.DueDate = j.st.FirstYearDue.Format("2 January 2006")
	}
	if j.st.TargetLevel != 0 {
		d.Level = j.st.TargetLevel.Title()
	}
	return d
}
