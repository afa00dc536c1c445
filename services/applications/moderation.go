package applications

import (
	"context"
	"slices"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The moderator's side of stage 7: the queue of assessments waiting for their decision, and
// one of them with the framework it is assessed on. The decision itself is Moderate
// (assessment.go).

// ModerationQueue is the assessments waiting for this moderator's decision, the soonest due
// first. People without the moderator role have no queue.
//
// The queue is read from the projection, never waiting on a busy journey: the journey writes,
// in the step that changes them, who moderates it and whether it waits for their decision (the
// next step is theirs), the assessor's name and recommendation and why it is moderated. Each
// item is what the queue shows (no evidence, ratings or feedback: the case has them), marked
// Source "projection" as of the journey's last step. A row written before the projection kept
// the recommendation is asked of the journey until its next step rewrites it.
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
		if app.ModeratorID != me.ID || app.Stage != string(award.StageModeration) {
			continue
		}
		if app.Recommended != "" {
			if app.NextWho == workflows.RoleModerator {
				out = append(out, queueItem(app))
			}
			continue
		}
		st, err := s.Status(ctx, app.ID)
		if err != nil {
			return nil, err
		}
		if awaitingModerator(st.Stage, st.Assessment, me.ID) {
			out = append(out, ViewFor(st, me))
		}
	}
	slices.SortStableFunc(out, func(a, b structs.Application) int {
		return moderationDue(a).Compare(moderationDue(b))
	})
	return out, nil
}

// queueItem is an application of the moderation queue as the projection has it: the moderation
// is due when the moderator's next step is (the row's due date), overdue once flagged so.
func queueItem(app postgres.Application) structs.Application {
	asOf := app.UpdatedAt
	flags := app.Flags
	if flags == nil {
		flags = []string{}
	}
	recommended, _ := award.ParseLevel(app.Recommended)
	return structs.Application{
		ID: app.ID, TenantID: app.TenantID, Setting: structs.Setting{Reference: app.SettingReference, Name: app.SettingName},
		Track: app.Track, Variant: app.Variant, Framework: award.FrameworkRef{ID: app.FrameworkID, Version: app.FrameworkVersion},
		Stage: award.Stage(app.Stage), Next: award.NextStep{Action: app.NextAction, Who: app.NextWho, DueAt: app.DueAt},
		RegisteredAt: app.RegisteredAt, Evidence: []structs.Evidence{}, Missing: map[string][]string{},
		TargetLevel: app.TargetLevel, SubmittedAt: app.SubmittedAt, Flags: flags,
		Assessment: &award.Assessment{AssessorID: app.AssessorID, AssessorName: app.AssessorName, Recommended: recommended,
			Moderation: &award.Moderation{Required: true, Reasons: app.ModerationReasons, ModeratorID: app.ModeratorID,
				DueAt: app.DueAt, Overdue: slices.Contains(app.Flags, workflows.FlagModerationOverdue)}},
		Source: structs.SourceProjection, AsOf: &asOf,
	}
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
