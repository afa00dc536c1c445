package applications_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// What each read costs the journeys: the Temporal queries a page or API read sends (issue 16:
// reads never wait on a busy workflow). Lists and access checks read the projection.

// queryCosts seeds a tenant with an application in each stage an assessor or moderator reads:
// "app-port" (the applicant's, portfolio), "app-off" (offered to inboxAssessor), "app-ass"
// (assessed by inboxAssessor, evidence ev-1) and three awaiting modMia's moderation.
func queryCosts() *appstest.Fakes {
	f := appstest.New()
	ev := []activities.Evidence{{ID: "ev-1", ObjectKey: "k/ev-1", Filename: "plan.pdf", ContentType: "application/pdf",
		State: activities.EvidenceConfirmed, Standards: []string{"A1"}, Size: 10}}
	row := func(id string) postgres.Application {
		return postgres.Application{ID: id, TenantID: "north", ApplicantID: inboxApplicant.ID, SettingReference: "R-" + id,
			SettingName: "Setting " + id, Track: "caring_schools", Variant: "primary"}
	}
	f.AddApplication(row("app-port"), workflows.Status{Stage: workflows.StagePortfolio, Evidence: ev})
	expires := time.Now().Add(48 * time.Hour)
	f.AddApplication(row("app-off"), workflows.Status{Stage: workflows.StageOffered, TargetLevel: "bronze",
		Next:       award.NextStep{Action: "accept or decline", Who: workflows.RoleAssessor, DueAt: &expires},
		Assessment: &workflows.Assessment{Offer: &workflows.Offer{PersonID: inboxAssessor.ID, ExpiresAt: expires}}})
	f.AddApplication(row("app-ass"), workflows.Status{Stage: workflows.StageAssessment, TargetLevel: "bronze", Evidence: ev,
		Assessment: &workflows.Assessment{AssessorID: inboxAssessor.ID}})
	f.Store.AddAssignment("north", postgres.Assignment{ID: "as-off", ApplicationID: "app-off", PersonID: inboxAssessor.ID,
		Role: "assessor", State: "offered"})
	f.Store.AddAssignment("north", postgres.Assignment{ID: "as-ass", ApplicationID: "app-ass", PersonID: inboxAssessor.ID,
		Role: "assessor", State: "accepted"})
	for _, id := range []string{"app-m1", "app-m2", "app-m3"} {
		moderating(f, id, "p-abe", modMia.ID, time.Now().Add(24*time.Hour), "")
	}
	return f
}

// TestQueriesPerRead counts the queries of each read.
func TestQueriesPerRead(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		read func(f *appstest.Fakes) error
		max  int
	}{
		{"applicant: GET status", func(f *appstest.Fakes) error {
			_, err := f.Service().Get(ctx, inboxApplicant, "app-port")
			return err
		}, 1},
		{"applicant: list", func(f *appstest.Fakes) error {
			_, err := f.Service().List(ctx, inboxApplicant)
			return err
		}, 0},
		{"assessor: inbox", func(f *appstest.Fakes) error {
			_, err := f.Service().Inbox(ctx, inboxAssessor)
			return err
		}, 0},
		{"assessor: offer page", func(f *appstest.Fakes) error {
			_, err := f.Service().Offer(ctx, inboxAssessor, "app-off")
			return err
		}, 0},
		{"assessor: GET status", func(f *appstest.Fakes) error {
			_, err := f.Service().Get(ctx, inboxAssessor, "app-ass")
			return err
		}, 1},
		{"assessor: portfolio to score", func(f *appstest.Fakes) error {
			_, err := f.Service().Portfolio(ctx, inboxAssessor, "app-ass")
			return err
		}, 1},
		{"assessor: open evidence", func(f *appstest.Fakes) error {
			_, err := f.Service().OpenEvidence(ctx, inboxAssessor, "app-ass", "ev-1")
			return err
		}, 0},
		{"another assessor: GET status (404)", func(f *appstest.Fakes) error {
			if _, err := f.Service().Get(ctx, inboxOther, "app-ass"); status(err) != 404 {
				t.Errorf("another assessor: %v", err)
			}
			return nil
		}, 0},
		{"moderator: queue of 3", func(f *appstest.Fakes) error {
			q, err := f.Service().ModerationQueue(ctx, modMia)
			if len(q) != 3 {
				t.Errorf("queue of %d", len(q))
			}
			return err
		}, 0},
		{"assessor: accept the offer (the update aside)", func(f *appstest.Fakes) error {
			_, err := f.Service().AcceptOffer(ctx, inboxAssessor, "app-off", structs.ReasonRequest{})
			return err
		}, 0},
		{"assessor: submit the assessment (the update aside)", func(f *appstest.Fakes) error {
			_, err := f.Service().SubmitAssessment(ctx, inboxAssessor, "app-ass", structs.RatingsRequest{})
			return err
		}, 0},
		{"moderator: moderate (the update aside)", func(f *appstest.Fakes) error {
			_, err := f.Service().Moderate(ctx, modMia, "app-m1", structs.ModerateRequest{Decision: "confirm"})
			return err
		}, 0},
		{"moderator: one case", func(f *appstest.Fakes) error {
			_, err := f.Service().Moderation(ctx, modMia, "app-m1")
			return err
		}, 1},
	} {
		f := queryCosts()
		if err := tc.read(f); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		n := f.Temporal.Queries()
		t.Logf("%-36s %d queries", tc.name, n)
		if n > tc.max {
			t.Errorf("%s: %d queries, want at most %d", tc.name, n, tc.max)
		}
	}
}

// TestStatusOfABusyJourney: a journey that does not answer within the read bound is not waited
// for: the status is the projection's, saying so and as of when, with the evidence and what is
// missing as PostgreSQL has them. Access stays as strict: another tenant's application and one
// the person does not hold are still not found.
func TestStatusOfABusyJourney(t *testing.T) {
	f := queryCosts()
	f.Temporal.Busy(true)
	s := f.Service()
	s.ReadWait = 20 * time.Millisecond
	ctx := context.Background()
	start := time.Now()
	v, err := s.Get(ctx, inboxApplicant, "app-port")
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("waited %v for a busy journey", took)
	}
	if v.Source != structs.SourceProjection || v.AsOf == nil || !v.AsOf.Equal(appstest.Time) || v.Stage != workflows.StagePortfolio ||
		len(v.Evidence) != 1 || v.Evidence[0].ID != "ev-1" || v.PortfolioBytes != 10 || v.Missing["bronze"] == nil {
		t.Fatalf("status from the projection: %+v", v)
	}
	if slices.Contains(v.Missing["bronze"], "A1") || len(v.Missing["bronze"]) == 0 {
		t.Fatalf("missing: %v", v.Missing)
	}
	if _, err := s.Get(ctx, inboxAssessor, "app-ass"); err != nil {
		t.Fatalf("the assessor holding it: %v", err)
	}
	east := inboxApplicant
	east.TenantID = "east"
	for _, me := range []award.Person{inboxOther, east} {
		if _, err := s.Get(ctx, me, "app-ass"); status(err) != 404 {
			t.Errorf("%s of %s: %v", me.ID, me.TenantID, err)
		}
	}
	// The server gave up waiting a moment before the client: busy all the same.
	f.Temporal.Busy(false)
	f.Temporal.FailQuery(serviceerror.NewDeadlineExceeded("query timed out"))
	if v, err := s.Get(ctx, inboxApplicant, "app-port"); err != nil || v.Source != structs.SourceProjection {
		t.Fatalf("a query the server timed out: %+v %v", v, err)
	}
	// Any other failure is not hidden behind the projection.
	f.Temporal.FailQuery(serviceerror.NewUnavailable("temporal down"))
	if _, err := s.Get(ctx, inboxApplicant, "app-port"); err == nil {
		t.Fatal("a failed query answered")
	}
	f.Temporal.FailQuery(nil)
	// Answered again: the journey's own state, unmarked.
	if v, err := s.Get(ctx, inboxApplicant, "app-port"); err != nil || v.Source != "" || v.AsOf != nil {
		t.Fatalf("status from the journey: %+v %v", v, err)
	}
}
