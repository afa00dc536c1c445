package admin

import (
	"context"
	"errors"
	"time"

	"awardengine/award"
	"awardengine/structs"
)

// Actions is what an admin may do with an application now: its current step, who holds it and
// until when, and the actions its stage allows (nudge, extend, reassign, allocate, retry,
// withdraw). It reads the journey's status; a journey that does not answer is said in
// JourneyError, with retry and withdraw offered (what may unstick it). The journey decides
// each action when it is asked: this only says which are worth offering.
func (s *Service) Actions(ctx context.Context, me award.Person, id string) (structs.AdminActions, error) {
	app, err := s.Apps.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.AdminActions{}, err
	}
	out := structs.AdminActions{ApplicationID: app.ID, Setting: structs.Setting{Reference: app.SettingReference, Name: app.SettingName},
		Track: app.Track, Variant: app.Variant, Stage: app.Stage, Next: award.NextStep{Action: app.NextAction, DueAt: app.DueAt},
		Actions: []string{}}
	st, err := s.Apps.Status(ctx, app.ID)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return structs.AdminActions{}, err
		}
		out.JourneyError = "the journey did not answer its status query: " + err.Error()
		out.Actions = append(out.Actions, structs.ActionRetry)
		if !award.Stage(app.Stage).Closed() {
			out.Actions = append(out.Actions, structs.ActionWithdraw)
		}
		return out, nil
	}
	out.Stage, out.Next = string(st.Stage), award.NextStep{Action: st.Next.Action, Who: st.Next.Who, DueAt: st.Next.DueAt}
	out.Deadlines = &st.Deadlines
	a := st.Assessment
	if a == nil {
		a = &award.Assessment{}
	}
	holder := func(id, name string) {
		if id != "" {
			out.Holder = &structs.PersonRef{ID: id, Name: name}
		}
	}
	var deadline *time.Time
	nudge := true
	switch st.Stage {
	case award.StageToolkit, award.StagePortfolio:
		p := s.personRef(ctx, me.TenantID, app.ApplicantID)
		holder(p.ID, p.Name)
		deadline = st.FirstYearDue
	case award.StageNotYet:
		p := s.personRef(ctx, me.TenantID, app.ApplicantID)
		holder(p.ID, p.Name)
		deadline = a.ResubmitBy
	case award.StageOffered:
		if a.Offer != nil {
			holder(a.Offer.PersonID, a.Offer.Name)
			deadline = &a.Offer.ExpiresAt
		}
	case award.StageAssessment:
		holder(a.AssessorID, a.AssessorName)
		deadline = a.DueAt
	case award.StageModeration:
		m := a.Moderation
		nudge = m != nil && m.DueAt != nil && m.Outcome == ""
		if m != nil && m.Outcome == "" {
			holder(m.ModeratorID, m.Name)
			deadline = m.DueAt
		}
	default:
		nudge = false
	}
	if deadline != nil && deadline.IsZero() {
		deadline = nil
	}
	out.Deadline = deadline
	if nudge {
		out.Actions = append(out.Actions, structs.ActionNudge)
	}
	if deadline != nil && st.Stage != award.StageAwarded {
		out.Actions = append(out.Actions, structs.ActionExtend)
	}
	switch st.Stage {
	case award.StageOffered, award.StageAssessment:
		out.Actions = append(out.Actions, structs.ActionReassign)
	case award.StageAwaitingAllocation:
		out.Actions = append(out.Actions, structs.ActionAllocate)
	}
	if !st.Stage.Closed() {
		out.Actions = append(out.Actions, structs.ActionRetry)
		if st.Stage != award.StageAwarded {
			out.Actions = append(out.Actions, structs.ActionWithdraw)
		}
	}
	return out, nil
}
