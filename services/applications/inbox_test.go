package applications_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The assessor's reads (inbox.go) over the appstest fakes.

var (
	inboxAssessor  = award.Person{ID: "p-as", TenantID: "north", Roles: []string{award.RoleAssessor}, Active: true}
	inboxOther     = award.Person{ID: "p-ot", TenantID: "north", Roles: []string{award.RoleAssessor}, Active: true}
	inboxAdmin     = award.Person{ID: "p-ad", TenantID: "north", Roles: []string{award.RoleAdmin}, Active: true}
	inboxApplicant = award.Person{ID: "p-ap", TenantID: "north", Roles: []string{award.RoleApplicant}, Active: true}
)

func inboxFakes(stage award.Stage) *appstest.Fakes {
	f := appstest.New()
	a := &workflows.Assessment{}
	row := postgres.Application{ID: "app-1", TenantID: "north", ApplicantID: inboxApplicant.ID, SettingReference: "R1",
		SettingName: "One", Track: "caring_schools", Variant: "primary"}
	switch stage {
	case workflows.StageOffered:
		a.Offer = &workflows.Offer{PersonID: inboxAssessor.ID, ExpiresAt: appstest.Time}
		row.AssessorID = inboxAssessor.ID
	default:
		a.AssessorID = inboxAssessor.ID
		row.AssessorID = inboxAssessor.ID
	}
	f.AddApplication(row, workflows.Status{Stage: stage, TargetLevel: "bronze", Assessment: a,
		Evidence: []activities.Evidence{{ID: "ev-1", ObjectKey: "k/ev-1", Filename: "plan.pdf", ContentType: "application/pdf",
			State: activities.EvidenceConfirmed, Standards: []string{"A1"}}}})
	f.Store.AddAssignment("north", postgres.Assignment{ID: "as-1", ApplicationID: "app-1", PersonID: inboxAssessor.ID,
		Role: "assessor", State: map[bool]string{true: "offered", false: "accepted"}[stage == workflows.StageOffered]})
	return f
}

func status(err error) int {
	var p *structs.Problem
	if errors.As(err, &p) {
		return p.Status
	}
	return 0
}

func TestInboxIsForAssessorsAndModerators(t *testing.T) {
	svc := inboxFakes(workflows.StageOffered).Service()
	if _, err := svc.Inbox(context.Background(), inboxApplicant); status(err) != http.StatusForbidden {
		t.Fatalf("applicant: %v", err)
	}
	in, err := svc.Inbox(context.Background(), inboxAssessor)
	if err != nil || len(in.Assignments) != 1 || len(in.Applications) != 1 {
		t.Fatalf("assessor: %+v %v", in, err)
	}
}

func TestOfferShowsTheJourneysExpiry(t *testing.T) {
	svc := inboxFakes(workflows.StageOffered).Service()
	o, err := svc.Offer(context.Background(), inboxAssessor, "app-1")
	if err != nil || o.Assignment.State != "offered" || o.Application.DueAt == nil || !o.Application.DueAt.Equal(appstest.Time) {
		t.Fatalf("offer: %+v %v", o, err)
	}
	if _, err := svc.Offer(context.Background(), inboxOther, "app-1"); status(err) != http.StatusNotFound {
		t.Errorf("another assessor: %v", err)
	}
	if _, err := svc.Offer(context.Background(), inboxApplicant, "app-1"); status(err) != http.StatusForbidden {
		t.Errorf("the applicant: %v", err)
	}
	if _, err := svc.Offer(context.Background(), inboxAdmin, "app-1"); status(err) != http.StatusNotFound {
		t.Errorf("an admin (no offer to them): %v", err)
	}
}

func TestPortfolioOpensOnAcceptance(t *testing.T) {
	svc := inboxFakes(workflows.StageOffered).Service()
	_, err := svc.Portfolio(context.Background(), inboxAssessor, "app-1")
	if status(err) != http.StatusForbidden || !strings.Contains(err.Error(), applications.PortfolioClosed) {
		t.Fatalf("offered: %v", err)
	}
	svc = inboxFakes(workflows.StageAssessment).Service()
	p, err := svc.Portfolio(context.Background(), inboxAssessor, "app-1")
	if err != nil || p.Application.ID != "app-1" || len(p.Framework.Areas) != 4 {
		t.Fatalf("accepted: %+v %v", p, err)
	}
	if _, err := svc.Portfolio(context.Background(), inboxAdmin, "app-1"); err != nil {
		t.Errorf("admin: %v", err)
	}
	if _, err := svc.Portfolio(context.Background(), inboxOther, "app-1"); status(err) != http.StatusNotFound {
		t.Errorf("another assessor: %v", err)
	}
	if _, err := svc.Portfolio(context.Background(), inboxApplicant, "app-1"); status(err) != http.StatusForbidden {
		t.Errorf("the applicant: %v", err)
	}
}

// noViewer is object storage without PresignView: evidence opens as a download.
type noViewer struct{ applications.Objects }

func TestOpenEvidence(t *testing.T) {
	f := inboxFakes(workflows.StageAssessment)
	svc := f.Service()
	link, err := svc.OpenEvidence(context.Background(), inboxAssessor, "app-1", "ev-1")
	if err != nil || !strings.Contains(link.URL, "?view=plan.pdf") {
		t.Fatalf("inline: %+v %v", link, err)
	}
	svc.Objects = noViewer{f.Objects}
	link, err = svc.OpenEvidence(context.Background(), inboxAssessor, "app-1", "ev-1")
	if err != nil || !strings.Contains(link.URL, "?download=plan.pdf") {
		t.Fatalf("without a viewer: %+v %v", link, err)
	}
	if _, err := svc.OpenEvidence(context.Background(), inboxOther, "app-1", "ev-1"); status(err) != http.StatusNotFound {
		t.Errorf("another assessor: %v", err)
	}
}
