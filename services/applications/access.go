package applications

import (
	"context"
	"errors"
	"slices"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// Need is what a person wants to do with an application.
type Need int

const (
	CanRead Need = iota // applicant, supporter, admin, and the assessor or moderator holding it
	CanAct              // applicant, admin
	CanHold             // the assessor or moderator holding it (and admins, whom the journey then checks)
)

// Application loads an application the person may see, or answers 404 without saying whether
// it exists: another tenant's or another applicant's application is simply not there.
func (s *Service) Application(ctx context.Context, me award.Person, id string, need Need) (postgres.Application, error) {
	app, err := s.DB.Application(ctx, me.TenantID, id)
	if errors.Is(err, postgres.ErrNotFound) {
		return app, structs.NotFound("no application " + id)
	}
	if err != nil {
		return app, Unchanged(err) // the access check comes first: nothing was done yet
	}
	switch {
	case me.Has(award.RoleAdmin):
		return app, nil
	case s.holds(ctx, app, me):
		if need == CanAct {
			return app, structs.Forbidden("assessors and moderators read the portfolio but do not change it")
		}
		return app, nil
	case need == CanHold && (app.ApplicantID == me.ID || app.SupporterID == me.ID):
		return app, structs.Forbidden("only the assessor or moderator holding this application may do this")
	case need == CanHold:
		return app, structs.NotFound("no application " + id)
	case me.Has(award.RoleApplicant) && app.ApplicantID == me.ID:
		return app, nil
	case me.Has(award.RoleSupporter) && app.SupporterID == me.ID:
		if need == CanAct {
			return app, structs.Forbidden("supporters can follow an application but not change it")
		}
		return app, nil
	}
	return app, structs.NotFound("no application " + id)
}

// AdminApplication is Application for admins' actions: anyone else is refused first.
func (s *Service) AdminApplication(ctx context.Context, me award.Person, id string) (postgres.Application, error) {
	if !me.Has(award.RoleAdmin) {
		return postgres.Application{}, structs.Forbidden("only admins may do this")
	}
	return s.Application(ctx, me, id, CanAct)
}

// holds says whether the person is the assessor or moderator holding the application now, as
// the projection says: the offered assessor and the assessor (assessor_id), the moderator
// (moderator_id). The journey writes them in the same step that changes who holds it (an offer
// made, accepted, declined or expired, a reassignment, a moderator assigned, a decision), before
// that step's emails and before an update that made the change answers; reads never wait on a
// busy journey for them. The journey's validators remain the final gate of every action.
//
// The one moment the projection cannot know yet: an offer or a moderation is written to the
// person's assignments a moment before the step's projection. Only then (an assignment of
// theirs open, the projection not naming them) is the journey asked.
func (s *Service) holds(ctx context.Context, app postgres.Application, me award.Person) bool {
	if me.ID == "" || (!me.Has(award.RoleAssessor) && !me.Has(award.RoleModerator)) {
		return false
	}
	if app.AssessorID == me.ID || app.ModeratorID == me.ID {
		return true
	}
	if app.Stage == string(award.StageToolkit) || app.Stage == string(award.StagePortfolio) || !app.Active {
		return false
	}
	as, err := s.DB.ApplicationAssignments(ctx, me.TenantID, app.ID)
	if err != nil || !slices.ContainsFunc(as, func(a postgres.Assignment) bool {
		return a.PersonID == me.ID && (a.State == "offered" || a.State == "accepted")
	}) {
		return false
	}
	st, err := s.Status(ctx, app.ID)
	if err != nil || st.Assessment == nil {
		return false
	}
	a := st.Assessment
	return (a.Offer != nil && a.Offer.PersonID == me.ID) ||
		(a.AssessorID == me.ID && (st.Stage == award.StageAssessment || st.Stage == award.StageModeration)) ||
		(a.Moderation != nil && a.Moderation.ModeratorID == me.ID && st.Stage == award.StageModeration)
}

// Actor is the person as the workflow sees them: as admin if they hold that role.
func Actor(me award.Person) workflows.Actor {
	if me.Has(award.RoleAdmin) {
		return workflows.Actor{ID: me.ID, Role: workflows.RoleAdmin}
	}
	return workflows.Actor{ID: me.ID, Role: workflows.RoleApplicant}
}

// HolderActor is an assessor or moderator as the workflow sees them; the workflow checks the
// person against the one it allocated.
func HolderActor(me award.Person) workflows.Actor {
	if me.Has(award.RoleModerator) && !me.Has(award.RoleAssessor) {
		return workflows.Actor{ID: me.ID, Role: workflows.RoleModerator}
	}
	return workflows.Actor{ID: me.ID, Role: workflows.RoleAssessor}
}
