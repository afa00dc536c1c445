package admin_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/services/admin/admintest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The admin pages' own service calls (dashboard.go, actions.go, candidates.go) over the
// admintest fakes.

var (
	northAdmin = award.Person{ID: "p-admin", TenantID: "north", Roles: []string{award.RoleAdmin}}
	eastAdmin  = award.Person{ID: "p-east", TenantID: "east", Roles: []string{award.RoleAdmin}}
	northAss   = award.Person{ID: "p-ass", TenantID: "north", Roles: []string{award.RoleAssessor}}
)

func problemStatus(t *testing.T, err error) int {
	t.Helper()
	p, ok := err.(*structs.Problem)
	if !ok {
		t.Fatalf("want a problem, got %v", err)
	}
	return p.Status
}

func seed(f *admintest.Fakes, id, tenant string, st workflows.Status) {
	f.Apps.AddApplication(postgres.Application{ID: id, TenantID: tenant, ApplicantID: "p-app", SupporterID: "p-sup",
		SettingReference: "URN-" + id, SettingName: "Setting " + id, Track: "caring_schools", Variant: "early_years_setting"}, st)
}

func TestDashboardIsTheAdminsOfTheTenant(t *testing.T) {
	f := admintest.New(nil)
	s := f.Service("")
	ctx := context.Background()
	if _, err := s.Dashboard(ctx, northAss); problemStatus(t, err) != http.StatusForbidden {
		t.Fatal("an assessor sees the dashboard")
	}
	f.Store.SetDashboard("north", postgres.Dashboard{Active: 3})
	d, err := s.Dashboard(ctx, northAdmin)
	if err != nil || d.Active != 3 || d.Stages == nil || d.Flags == nil || d.MedianWorkingDays == nil {
		t.Fatalf("dashboard %+v: %v", d, err)
	}
	if d, _ := s.Dashboard(ctx, eastAdmin); d.Active != 0 {
		t.Fatal("another tenant's counts")
	}
	from, _ := time.Parse(time.DateOnly, d.MedianFrom)
	to, _ := time.Parse(time.DateOnly, d.MedianTo)
	if days := int(to.Sub(from).Hours()/24) + 1; days != 365 {
		t.Errorf("medians over %d days (%s to %s), want 365", days, d.MedianFrom, d.MedianTo)
	}
}

func TestActionsFollowTheStage(t *testing.T) {
	due := time.Date(2026, 10, 1, 16, 0, 0, 0, time.UTC)
	cases := []struct {
		stage  workflows.Status
		want   []string
		holder string
	}{
		{workflows.Status{Stage: workflows.StagePortfolio, FirstYearDue: &due}, []string{"nudge", "extend", "retry", "withdraw"}, "p-app"},
		{workflows.Status{Stage: workflows.StageToolkit}, []string{"nudge", "retry", "withdraw"}, "p-app"},
		{workflows.Status{Stage: workflows.StageAwaitingAllocation, Assessment: &award.Assessment{NoAssessor: true}}, []string{"allocate", "retry", "withdraw"}, ""},
		{workflows.Status{Stage: workflows.StageOffered, Assessment: &award.Assessment{Offer: &award.Offer{PersonID: "p-ass", Name: "Ash", ExpiresAt: due}}},
			[]string{"nudge", "extend", "reassign", "retry", "withdraw"}, "p-ass"},
		{workflows.Status{Stage: workflows.StageAssessment, Assessment: &award.Assessment{AssessorID: "p-ass", AssessorName: "Ash", DueAt: &due}},
			[]string{"nudge", "extend", "reassign", "retry", "withdraw"}, "p-ass"},
		{workflows.Status{Stage: workflows.StageModeration, Assessment: &award.Assessment{Moderation: &award.Moderation{ModeratorID: "p-mod", DueAt: &due}}},
			[]string{"nudge", "extend", "retry", "withdraw"}, "p-mod"},
		{workflows.Status{Stage: workflows.StageModeration, Assessment: &award.Assessment{Moderation: &award.Moderation{NoModerator: true}}},
			[]string{"retry", "withdraw"}, ""},
		{workflows.Status{Stage: workflows.StageAwarded, Assessment: &award.Assessment{ExpiresAt: &due}}, []string{"retry"}, ""},
		{workflows.Status{Stage: workflows.StageWithdrawn}, []string{}, ""},
	}
	for _, c := range cases {
		t.Run(string(c.stage.Stage), func(t *testing.T) {
			f := admintest.New(nil)
			seed(f, "app-1", "north", c.stage)
			got, err := f.Service("").Actions(context.Background(), northAdmin, "app-1")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Actions, c.want) {
				t.Errorf("actions %v, want %v", got.Actions, c.want)
			}
			if h := got.Holder; (h == nil) != (c.holder == "") || (h != nil && h.ID != c.holder) {
				t.Errorf("holder %+v, want %q", h, c.holder)
			}
		})
	}
	f := admintest.New(nil)
	seed(f, "app-1", "north", workflows.Status{Stage: workflows.StagePortfolio})
	s := f.Service("")
	if _, err := s.Actions(context.Background(), northAss, "app-1"); problemStatus(t, err) != http.StatusForbidden {
		t.Error("an assessor is told the actions")
	}
	if _, err := s.Actions(context.Background(), eastAdmin, "app-1"); problemStatus(t, err) != http.StatusNotFound {
		t.Error("another tenant's admin finds the application")
	}
	f.Apps.Temporal.Forget("app-1")
	got, err := s.Actions(context.Background(), northAdmin, "app-1")
	if err != nil || got.JourneyError == "" || !slices.Equal(got.Actions, []string{"retry", "withdraw"}) {
		t.Errorf("a journey that does not answer: %+v, %v", got, err)
	}
}

// TestCandidatesForAllocatingByHand: the rules' eligible first in their order, then those the
// rules exclude but an admin may choose, then those nobody may choose (inactive, at capacity,
// the applicant or supporter), each with the rule that excludes them.
func TestCandidatesForAllocatingByHand(t *testing.T) {
	f := admintest.New(nil)
	seed(f, "app-1", "north", workflows.Status{Stage: workflows.StageAwaitingAllocation,
		Assessment: &award.Assessment{Excluded: map[string]string{"p-dee": "declined: too busy"}}})
	ey := []award.Specialism{award.EarlyYears}
	all := award.Tracks()
	prof := func(id, name string, active bool, open, capacity int, tracks []award.Track, sp []award.Specialism) postgres.AssessorProfile {
		return postgres.AssessorProfile{PersonID: id, Name: name, Roles: []string{award.RoleAssessor}, Active: active, Open: open,
			Capacity: capacity, Tracks: tracks, Specialisms: sp}
	}
	f.Store.SetRoster("north", []postgres.AssessorProfile{
		prof("p-ann", "Ann Busy", true, 2, 3, all, ey),
		prof("p-bo", "Bo Free", true, 0, 3, all, ey),
		prof("p-cy", "Cy Nospecial", true, 0, 3, all, nil),
		prof("p-dee", "Dee Declined", true, 0, 3, all, ey),
		prof("p-eve", "Eve Inactive", false, 0, 3, all, ey),
		prof("p-fay", "Fay Full", true, 3, 3, all, ey),
		prof("p-sup", "Sup Porter", true, 0, 3, all, ey),
		{PersonID: "p-mod", Name: "Mo Moderator", Roles: []string{award.RoleModerator}, Active: true, Capacity: 3},
	})
	s := f.Service("")
	got, err := s.Candidates(context.Background(), northAdmin, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Open || got.Rules.Chosen != "p-bo" {
		t.Fatalf("open %v, rules %+v", got.Open, got.Rules)
	}
	type row struct {
		id               string
		eligible, choice bool
		excluded         string
		byHand           bool
	}
	want := []row{
		{"p-bo", true, true, "", true},
		{"p-ann", true, false, "", true},
		{"p-cy", false, false, "no early-years specialism", true},
		{"p-dee", false, false, "declined: too busy", true},
		{"p-eve", false, false, "inactive", false},
		{"p-fay", false, false, "at capacity (3 of 3 open)", false},
		{"p-sup", false, false, "supports this setting", false},
	}
	if len(got.Candidates) != len(want) {
		t.Fatalf("candidates %+v", got.Candidates)
	}
	for i, w := range want {
		c := got.Candidates[i]
		if (row{c.PersonID, c.Eligible, c.Choice, c.Excluded, c.ByHand}) != w {
			t.Errorf("candidate %d: %+v, want %+v", i, c, w)
		}
	}
	if _, err := s.Candidates(context.Background(), northAss, "app-1"); problemStatus(t, err) != http.StatusForbidden {
		t.Error("an assessor sees the candidates")
	}
	if _, err := s.Candidates(context.Background(), eastAdmin, "app-1"); problemStatus(t, err) != http.StatusNotFound {
		t.Error("another tenant's admin finds the application")
	}
}
