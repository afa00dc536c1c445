package applications

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The people of the access tests: tenant "north" unless named otherwise.
var (
	admin      = award.Person{ID: "p-admin", TenantID: "north", Roles: []string{award.RoleAdmin}}
	otherAdmin = award.Person{ID: "p-east-admin", TenantID: "east", Roles: []string{award.RoleAdmin}}
	applicant  = award.Person{ID: "p-app", TenantID: "north", Roles: []string{award.RoleApplicant}}
	stranger   = award.Person{ID: "p-app2", TenantID: "north", Roles: []string{award.RoleApplicant}}
	supporter  = award.Person{ID: "p-sup", TenantID: "north", Roles: []string{award.RoleSupporter}}
	assessor   = award.Person{ID: "p-ass", TenantID: "north", Roles: []string{award.RoleAssessor}}
	otherAss   = award.Person{ID: "p-ass2", TenantID: "north", Roles: []string{award.RoleAssessor}}
	moderator  = award.Person{ID: "p-mod", TenantID: "north", Roles: []string{award.RoleModerator}}
	// A staff member who is also an applicant holds only what the journey says they hold.
	assessorApplicant = award.Person{ID: "p-app", TenantID: "north", Roles: []string{award.RoleApplicant, award.RoleAssessor}}
)

// accessFixture is one application of tenant north in moderation: assessed by p-ass,
// moderated by p-mod, applied for by p-app and supported by p-sup.
func accessFixture(t *testing.T) *Service {
	t.Helper()
	s, db, tc := newService()
	db.apps["app-1"] = postgres.Application{ID: "app-1", TenantID: "north", ApplicantID: "p-app", SupporterID: "p-sup",
		Stage: string(award.StageModeration), AssessorID: "p-ass", ModeratorID: "p-mod"}
	tc.setStatus(workflows.Status{ApplicationID: "app-1", TenantID: "north", Stage: award.StageModeration,
		Assessment: &award.Assessment{AssessorID: "p-ass", Moderation: &award.Moderation{ModeratorID: "p-mod"}}})
	return s
}

func TestAccessPolicy(t *testing.T) {
	s := accessFixture(t)
	const ok, forbidden, notFound = 0, http.StatusForbidden, http.StatusNotFound
	cases := []struct {
		who  string
		me   award.Person
		need Need
		want int
	}{
		{"admin reads", admin, CanRead, ok},
		{"admin acts", admin, CanAct, ok},
		{"admin holds (the journey checks)", admin, CanHold, ok},
		{"another tenant's admin reads", otherAdmin, CanRead, notFound},
		{"another tenant's admin acts", otherAdmin, CanAct, notFound},
		{"applicant reads", applicant, CanRead, ok},
		{"applicant acts", applicant, CanAct, ok},
		{"applicant cannot assess their own", applicant, CanHold, forbidden},
		{"another applicant reads", stranger, CanRead, notFound},
		{"another applicant acts", stranger, CanAct, notFound},
		{"another applicant holds", stranger, CanHold, notFound},
		{"supporter reads", supporter, CanRead, ok},
		{"supporter cannot act", supporter, CanAct, forbidden},
		{"supporter cannot hold", supporter, CanHold, forbidden},
		{"holding assessor reads", assessor, CanRead, ok},
		{"holding assessor cannot change the portfolio", assessor, CanAct, forbidden},
		{"holding assessor holds", assessor, CanHold, ok},
		{"holding moderator holds", moderator, CanHold, ok},
		{"holding moderator cannot act", moderator, CanAct, forbidden},
		{"an assessor not holding it reads nothing", otherAss, CanRead, notFound},
		{"an assessor not holding it holds nothing", otherAss, CanHold, notFound},
	}
	for _, c := range cases {
		t.Run(c.who, func(t *testing.T) {
			_, err := s.Application(context.Background(), c.me, "app-1", c.need)
			if got := status(err); got != c.want {
				t.Fatalf("want %d, got %d (%v)", c.want, got, err)
			}
		})
	}
}

// TestAccessHolderIsTheProjections: the projection names who holds an application (the
// journey writes it in the step that changes it), and the check never asks the journey for
// them; the journey is asked only in the moment the projection cannot know yet (an offer in the
// person's assignments, its step not yet written). A former assessor loses it with the step
// that takes it from them.
func TestAccessHolderIsTheProjections(t *testing.T) {
	s, db, tc := newService()
	ctx := context.Background()
	// Offered to p-ass2: the projection names them.
	db.apps["app-2"] = postgres.Application{ID: "app-2", TenantID: "north", ApplicantID: "p-app", Stage: string(award.StageOffered),
		Active: true, AssessorID: "p-ass2"}
	tc.setStatus(workflows.Status{ApplicationID: "app-2", Stage: award.StageOffered,
		Assessment: &award.Assessment{Offer: &award.Offer{PersonID: "p-ass2"}}})
	db.assignments["app-2"] = []postgres.Assignment{{ApplicationID: "app-2", PersonID: "p-ass", State: "declined"},
		{ApplicationID: "app-2", PersonID: "p-ass2", State: "offered"}}
	if _, err := s.Application(ctx, otherAss, "app-2", CanHold); err != nil {
		t.Fatalf("the assessor offered it cannot answer the offer: %v", err)
	}
	if _, err := s.Application(ctx, assessor, "app-2", CanHold); status(err) != http.StatusNotFound {
		t.Fatalf("an assessor who declined it holds it: %v", err)
	}
	if n := tc.queryCount(); n != 0 {
		t.Fatalf("the access checks asked the journey %d times", n)
	}

	// The offer to p-ass is in their assignments, its step not yet written: the journey decides.
	db.apps["app-3"] = postgres.Application{ID: "app-3", TenantID: "north", ApplicantID: "p-app",
		Stage: string(award.StageAwaitingAllocation), Active: true}
	tc.setStatus(workflows.Status{ApplicationID: "app-3", Stage: award.StageOffered,
		Assessment: &award.Assessment{Offer: &award.Offer{PersonID: "p-ass"}}})
	db.assignments["app-3"] = []postgres.Assignment{{ApplicationID: "app-3", PersonID: "p-ass", State: "offered"}}
	if _, err := s.Application(ctx, assessor, "app-3", CanHold); err != nil {
		t.Fatalf("an offer the projection has not caught up with: %v", err)
	}
	if _, err := s.Application(ctx, otherAss, "app-3", CanRead); status(err) != http.StatusNotFound {
		t.Fatalf("an assessor with no assignment of it reads it: %v", err)
	}
	if n := tc.queryCount(); n != 1 {
		t.Fatalf("%d queries, want the one of the offer not yet projected", n)
	}

	// Reassigned: the step releases the assignment and writes the projection without them.
	db.apps["app-3"] = postgres.Application{ID: "app-3", TenantID: "north", ApplicantID: "p-app",
		Stage: string(award.StageAwaitingAllocation), Active: true}
	db.assignments["app-3"] = []postgres.Assignment{{ApplicationID: "app-3", PersonID: "p-ass", State: "released"}}
	if _, err := s.Application(ctx, assessor, "app-3", CanRead); status(err) != http.StatusNotFound {
		t.Fatalf("a former assessor reads it: %v", err)
	}

	// An applicant who is also an assessor acts on their own application as its applicant, and
	// cannot hold it.
	if _, err := s.Application(ctx, assessorApplicant, "app-2", CanAct); err != nil {
		t.Fatalf("applicant-assessor cannot act on their own application: %v", err)
	}
	if _, err := s.Application(ctx, assessorApplicant, "app-2", CanHold); status(err) != http.StatusForbidden {
		t.Fatalf("applicant-assessor holds their own application: %v", err)
	}
}

// TestAccessUnknownAndForeignLookTheSame: an id that does not exist and another tenant's id
// get the same answer, and a database failure during the check is marked unchanged.
func TestAccessUnknownAndForeignLookTheSame(t *testing.T) {
	s := accessFixture(t)
	_, foreign := s.Application(context.Background(), otherAdmin, "app-1", CanRead)
	_, missing := s.Application(context.Background(), otherAdmin, "app-nope", CanRead)
	var pf, pm *structs.Problem
	if !errors.As(foreign, &pf) || !errors.As(missing, &pm) || pf.Status != pm.Status || pf.Type != pm.Type || pf.Title != pm.Title {
		t.Fatalf("foreign %v, missing %v", foreign, missing)
	}
	if _, err := s.AdminApplication(context.Background(), applicant, "app-1"); status(err) != http.StatusForbidden {
		t.Fatalf("an applicant passes the admins' check: %v", err)
	}
}

// TestViewForRedacts: who else was considered is for admins; the assessment's ratings are for
// its holders until it is decided.
func TestViewForRedacts(t *testing.T) {
	st := workflows.Status{ApplicationID: "app-1", Stage: award.StageModeration, Assessment: &award.Assessment{
		AssessorID: "p-ass", Excluded: map[string]string{"p-x": "declined"}, Allocation: &award.Allocation{Chosen: "p-ass"},
		Ratings: map[string]award.Level{"LD1": award.Gold}, Feedback: "good", Recommended: award.Gold,
		Moderation: &award.Moderation{ModeratorID: "p-mod", Draw: 0.042, Reasons: []string{"random sample (draw 0.0420 < 0.10)"}}}}
	if v := ViewFor(st, admin); v.Assessment.Allocation == nil || v.Assessment.Excluded == nil || v.Assessment.Moderation.Draw != 0.042 {
		t.Fatalf("admin view lost detail: %+v", v.Assessment)
	}
	for _, holder := range []award.Person{assessor, moderator} {
		v := ViewFor(st, holder)
		if v.Assessment.Allocation != nil || v.Assessment.Excluded != nil || v.Assessment.Ratings == nil {
			t.Fatalf("%s view: %+v", holder.ID, v.Assessment)
		}
	}
	// The sampling draw is its moderator's (and admins'): the assessor sees neither the number
	// nor the reason's.
	if m := ViewFor(st, moderator).Assessment.Moderation; m.Draw != 0.042 || m.Reasons[0] != "random sample (draw 0.0420 < 0.10)" {
		t.Fatalf("the moderator does not see the draw: %+v", m)
	}
	if m := ViewFor(st, assessor).Assessment.Moderation; m.Draw != 0 || m.Reasons[0] != "random sample" {
		t.Fatalf("the assessor sees the draw: %+v", m)
	}
	v := ViewFor(st, applicant)
	if v.Assessment.Ratings != nil || v.Assessment.Feedback != "" || v.Assessment.Recommended != 0 || v.Assessment.Moderation != nil {
		t.Fatalf("the applicant sees an undecided assessment: %+v", v.Assessment)
	}
	if st.Assessment.Allocation == nil || st.Assessment.Moderation.Draw != 0.042 || st.Assessment.Moderation.Reasons[0] != "random sample (draw 0.0420 < 0.10)" {
		t.Fatal("ViewFor changed the journey's status it was given")
	}
}

// status is an error's HTTP status as the API would answer it (0 for no error).
func status(err error) int {
	if err == nil {
		return 0
	}
	p, _ := Problem(err, true)
	return p.Status
}
