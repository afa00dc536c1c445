package applications

import (
	"context"
	"slices"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The moderator's side of stage 7: the queue of assessments waiting for their decision, and
// one of them with the framework it is assessed on. The decision itself is Moderate
// (assessment.go).

// ModerationQueue is the assessments waiting for this moderator's decision, each as they may
// see it (ViewFor: the reasons it is moderated and the sampling draw, the ratings, the
// evidence), the soonest due first. People without the moderator role have no queue.
func (s *Service) ModerationQueue(ctx context.Context, me award.Person) ([]structs.Application, error) {
	if !me.Has(award.RoleModerator) {
		return nil, structs.Forbidden("only moderators have a moderation queue")
	}
	apps, err := s.DB.Applications(ctx, postgres.ApplicationFilter{TenantID: me.TenantID, HolderID: me.ID})
	if err != nil {
		return nil, err
	}
	out := []structs.Application{}
	for _, app := range apps {
		// The projection names the moderator; the journey's own state decides (it can be a
		// moment ahead: a decision just made).
		if app.ModeratorID != me.ID || app.Stage != string(award.StageModeration) {
			continue
		}
		st, err := s.Status(ctx, app.ID)
		if err != nil {
			return nil, err
		}
		if !awaitingModerator(st.Stage, st.Assessment, me.ID) {
			continue
		}
		out = append(out, ViewFor(st, me))
	}
	slices.SortStableFunc(out, func(a, b structs.Application) int {
		return moderationDue(a).Compare(moderationDue(b))
	})
	return out, nil
}

// ModerationCase is one assessment waiting for the moderator's decision, with the framework
// version it is assessed on (the standards, their descriptors and the level rule).
type ModerationCase struct {
	structs.Application
	Framework award.Framework
}

// Moderation is the assessment of application id for its moderator. Someone who does not hold
// the application is answered 404 (Application); the assessor holding it, and admins, 403: only
// the moderator assigned to it moderates it.
func (s *Service) Moderation(ctx context.Context, me award.Person, id string) (ModerationCase, error) {
	app, err := s.Application(ctx, me, id, CanHold)
	if err != nil {
		return ModerationCase{}, err
	}
	st, err := s.Status(ctx, app.ID)
	if err != nil {
		return ModerationCase{}, err
	}
	if !awaitingModerator(st.Stage, st.Assessment, me.ID) {
		if st.Stage == award.StageModeration && st.Assessment != nil && st.Assessment.Moderation != nil &&
			st.Assessment.Moderation.ModeratorID == me.ID {
			return ModerationCase{}, structs.WrongStage("this assessment has been moderated: the decision is being made")
		}
		return ModerationCase{}, structs.Forbidden("only the moderator assigned to this application may moderate it")
	}
	var fw award.Framework
	if err := s.DB.Framework(ctx, app.FrameworkID, app.FrameworkVersion, &fw); err != nil {
		return ModerationCase{}, err
	}
	return ModerationCase{Application: ViewFor(st, me), Framework: fw}, nil
}

// awaitingModerator says the journey waits for this moderator's decision.
func awaitingModerator(stage award.Stage, a *award.Assessment, moderatorID string) bool {
	if stage != award.StageModeration || a == nil || a.Moderation == nil {
		return false
	}
	m := a.Moderation
	return m.ModeratorID == moderatorID && m.DueAt != nil && m.Outcome == ""
}

// moderationDue is when the moderation of a is due (the far future when it has no date).
func moderationDue(a structs.Application) time.Time {
	if a.Assessment != nil && a.Assessment.Moderation != nil && a.Assessment.Moderation.DueAt != nil {
		return *a.Assessment.Moderation.DueAt
	}
	return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
}
