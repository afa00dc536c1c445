package appstest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

var (
	ann   = award.Person{ID: "p-ann", TenantID: "north", Name: "Ann", Roles: []string{award.RoleApplicant}, Active: true}
	eve   = award.Person{ID: "p-eve", TenantID: "east", Name: "Eve", Roles: []string{award.RoleApplicant}, Active: true}
	ctx   = context.Background()
	oakRQ = structs.RegisterRequest{SettingReference: "URN-1", SettingName: "Oak Primary", Track: "caring_schools", Variant: "primary"}
)

func problem(t *testing.T, err error) *structs.Problem {
	t.Helper()
	p, _ := applications.Problem(err, false)
	return p
}

// TestRegisterThenDuplicate: a registration starts a journey the service can read back, and a
// second one for the same setting is refused naming the first, as the database refuses it.
func TestRegisterThenDuplicate(t *testing.T) {
	f := appstest.New()
	s := f.Service()
	reg, err := s.Register(ctx, ann, oakRQ)
	if err != nil || !reg.Started || reg.View == nil || reg.View.Stage != award.StageToolkit {
		t.Fatalf("register: %+v %v", reg, err)
	}
	if len(f.Store.Started) != 1 || len(f.Temporal.Launched) != 1 {
		t.Fatalf("started %v launched %v", f.Store.Started, f.Temporal.Launched)
	}
	_, err = s.Register(ctx, ann, oakRQ)
	if p := problem(t, err); p.Status != 409 || p.ExistingID != reg.ID {
		t.Fatalf("duplicate: %+v", p)
	}
	list, err := s.List(ctx, ann)
	if err != nil || len(list) != 1 || list[0].SettingName != "Oak Primary" {
		t.Fatalf("list: %+v %v", list, err)
	}
}

// TestAnotherTenantIsNotFound: the store is tenant-checked, so the service answers 404.
func TestAnotherTenantIsNotFound(t *testing.T) {
	f := appstest.New()
	f.AddApplication(postgres.Application{ID: "app-1", TenantID: "north", ApplicantID: ann.ID, SettingName: "Oak"}, workflows.Status{})
	if _, err := f.Service().Get(ctx, ann, "app-1"); err != nil {
		t.Fatal(err)
	}
	eveSame := eve
	eveSame.ID = ann.ID // same person id, another tenant
	_, err := f.Service().Get(ctx, eveSame, "app-1")
	if p := problem(t, err); p.Status != 404 {
		t.Fatalf("another tenant: %+v", p)
	}
	if list, _ := f.Service().List(ctx, eveSame); len(list) != 0 {
		t.Fatalf("another tenant's list: %+v", list)
	}
}

// TestUpdatesAreRecordedAndRefused: updates reach the journey with their request, a refusal
// comes back as the service's problem, and the defaults change the status.
func TestUpdatesAreRecordedAndRefused(t *testing.T) {
	f := appstest.New()
	f.AddApplication(postgres.Application{ID: "app-1", TenantID: "north", ApplicantID: ann.ID}, workflows.Status{Stage: workflows.StagePortfolio})
	s := f.Service()
	f.Temporal.Refuse(workflows.UpdateSubmit, appstest.Refusal(workflows.ErrMissingEvidence,
		"cannot submit for silver: these standards have no confirmed evidence: A1, B2", []string{"A1", "B2"}))
	_, err := s.Submit(ctx, ann, "app-1", structs.SubmitRequest{TargetLevel: "silver"})
	p := problem(t, err)
	if p.Status != 422 || p.Type != "missing-evidence" || strings.Join(p.Missing, ",") != "A1,B2" {
		t.Fatalf("refusal: %+v", p)
	}
	sent := f.Temporal.Sent(workflows.UpdateSubmit)
	if len(sent) != 1 || sent[0].Arg.(workflows.SubmitRequest).TargetLevel != award.Silver {
		t.Fatalf("sent: %+v", sent)
	}
	f.Temporal.OnUpdate(workflows.UpdateSubmit, nil)
	// By default the journey refuses as the real one does: bronze needs A1, B1, C1 and D1.
	_, err = s.Submit(ctx, ann, "app-1", structs.SubmitRequest{TargetLevel: "bronze"})
	if p := problem(t, err); p.Type != "missing-evidence" || strings.Join(p.Missing, ",") != "A1,B1,C1,D1" {
		t.Fatalf("default refusal: %+v", p)
	}
	created, err := s.AddEvidence(ctx, ann, "app-1", structs.AddEvidenceRequest{Filename: "a.pdf", Size: 10, ContentType: "application/pdf",
		SHA256: strings.Repeat("a", 64), Standards: []string{"A1", "B1", "C1", "D1"}})
	if err != nil || created.Evidence.ID == "" || !strings.HasPrefix(created.Upload.URL, appstest.URL+"/") {
		t.Fatalf("add evidence: %+v %v", created, err)
	}
	if _, err := s.ConfirmEvidence(ctx, ann, "app-1", created.Evidence.ID); err != nil {
		t.Fatal(err)
	}
	v, err := s.Submit(ctx, ann, "app-1", structs.SubmitRequest{TargetLevel: "bronze"})
	if err != nil || v.Stage != award.StageAwaitingAllocation || v.TargetLevel != "bronze" {
		t.Fatalf("submit: %+v %v", v, err)
	}
	_, err = s.Withdraw(ctx, ann, "app-1", structs.ReasonRequest{})
	if p := problem(t, err); p.Status != 422 || len(p.Errors) == 0 || p.Errors[0].Field != "reason" {
		t.Fatalf("withdraw without a reason: %+v", p)
	}
	f.Store.Fail("Application", errors.New("db down"))
	_, err = s.Get(ctx, ann, "app-1")
	if p := problem(t, err); p.Status != 503 {
		t.Fatalf("db down: %+v", p)
	}
}
