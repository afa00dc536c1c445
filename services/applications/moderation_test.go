package applications_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The moderator's queue and case (moderation.go) over the fakes.

var (
	modMia = award.Person{ID: "p-mia", TenantID: "north", Roles: []string{award.RoleModerator}}
	modMoe = award.Person{ID: "p-moe", TenantID: "north", Roles: []string{award.RoleModerator}}
	modAbe = award.Person{ID: "p-abe", TenantID: "north", Roles: []string{award.RoleAssessor}}
	// Someone both assessor and moderator, holding one application as its assessor.
	modBoth = award.Person{ID: "p-bo", TenantID: "north", Roles: []string{award.RoleAssessor, award.RoleModerator}}
)

// moderating seeds application id held for moderation by moderatorID (its assessor assessorID),
// due at due; outcome "" while it waits for the moderator.
func moderating(f *appstest.Fakes, id, assessorID, moderatorID string, due time.Time, outcome string) {
	f.AddApplication(postgres.Application{ID: id, TenantID: "north", ApplicantID: "p-ann", SettingReference: "URN-" + id,
		SettingName: "Setting " + id, Track: "caring_schools", Variant: "primary", AssessorID: assessorID, ModeratorID: moderatorID},
		workflows.Status{Stage: workflows.StageModeration, TargetLevel: "silver", Assessment: &workflows.Assessment{
			AssessorID: assessorID, Recommended: award.Silver, Ratings: map[string]award.Level{"A1": award.Silver},
			Moderation: &award.Moderation{ModeratorID: moderatorID, DueAt: &due, Outcome: outcome, Draw: 0.05,
				Reasons: []string{"random sample (draw 0.0500 < 0.10)"}}}})
}

func modStatus(err error) int {
	if err == nil {
		return 0
	}
	p, _ := applications.Problem(err, true)
	return p.Status
}

// TestModerationQueue: a moderator's queue is what waits for their decision, soonest due
// first, each with the sampling draw; not another moderator's, not one already decided, not
// one they hold as its assessor. Only moderators have a queue.
func TestModerationQueue(t *testing.T) {
	f := appstest.New()
	now := time.Now()
	moderating(f, "app-late", "p-abe", "p-mia", now.Add(48*time.Hour), "")
	moderating(f, "app-soon", "p-abe", "p-mia", now.Add(-24*time.Hour), "")
	moderating(f, "app-done", "p-abe", "p-mia", now, "confirmed")
	moderating(f, "app-moe", "p-abe", "p-moe", now, "")
	moderating(f, "app-bo", "p-bo", "p-moe", now, "")
	s := f.Service()
	ctx := context.Background()
	q, err := s.ModerationQueue(ctx, modMia)
	if err != nil || len(q) != 2 || q[0].ID != "app-soon" || q[1].ID != "app-late" {
		t.Fatalf("queue %+v %v", q, err)
	}
	if m := q[0].Assessment.Moderation; m.Reasons[0] != "random sample (draw 0.0500 < 0.10)" {
		t.Fatalf("the moderator does not see the draw: %+v", m)
	}
	// Read from the projection, never waiting on a journey, and saying so.
	if a := q[0]; a.Source != structs.SourceProjection || a.AsOf == nil || a.TargetLevel != "silver" ||
		a.Assessment.Recommended != award.Silver || a.Assessment.Moderation.DueAt == nil {
		t.Fatalf("queue item %+v", a)
	}
	if n := f.Temporal.Queries(); n != 0 {
		t.Fatalf("the queue asked the journeys %d times", n)
	}
	if q, err := s.ModerationQueue(ctx, modBoth); err != nil || len(q) != 0 {
		t.Fatalf("an assessor-moderator's queue holds their own assessment: %+v %v", q, err)
	}
	if _, err := s.ModerationQueue(ctx, modAbe); modStatus(err) != http.StatusForbidden {
		t.Fatalf("an assessor's queue: %v", err)
	}
}

// TestModerationCase: the moderator assigned gets the assessment and its framework; another
// moderator finds nothing; its assessor and admins are refused; once decided it is no longer
// waiting.
func TestModerationCase(t *testing.T) {
	f := appstest.New()
	moderating(f, "app-1", "p-abe", "p-mia", time.Now(), "")
	moderating(f, "app-2", "p-abe", "p-mia", time.Now(), "confirmed")
	s := f.Service()
	ctx := context.Background()
	c, err := s.Moderation(ctx, modMia, "app-1")
	if err != nil || c.ID != "app-1" || len(c.Framework.Standards()) != 12 || c.Assessment.Moderation.Draw != 0.05 {
		t.Fatalf("case %+v %v", c, err)
	}
	admin := award.Person{ID: "p-ada", TenantID: "north", Roles: []string{award.RoleAdmin}}
	for _, tc := range []struct {
		me   award.Person
		id   string
		want int
	}{
		{modMoe, "app-1", http.StatusNotFound},
		{modAbe, "app-1", http.StatusForbidden},
		{admin, "app-1", http.StatusForbidden},
		{modMia, "app-2", http.StatusConflict},
		{modMia, "app-nope", http.StatusNotFound},
		{award.Person{ID: "p-mia", TenantID: "east", Roles: []string{award.RoleModerator}}, "app-1", http.StatusNotFound},
	} {
		if _, err := s.Moderation(ctx, tc.me, tc.id); modStatus(err) != tc.want {
			t.Errorf("%s %s: %v, want %d", tc.me.ID, tc.id, err, tc.want)
		}
	}
}
