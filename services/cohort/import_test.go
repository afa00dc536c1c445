package cohort

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// fakeStore plays the database: it "creates" each row (a new applicant per row), or returns
// the problems it was given.
type fakeStore struct {
	problems []postgres.CohortProblem
	imports  []postgres.CohortImport
	regs     []postgres.Registration
	marked   []string
}

func (f *fakeStore) ImportCohort(_ context.Context, imp postgres.CohortImport) (postgres.CohortOutcome, error) {
	f.imports = append(f.imports, imp)
	if len(f.problems) > 0 {
		return postgres.CohortOutcome{Problems: f.problems}, nil
	}
	var out postgres.CohortOutcome
	for i, r := range imp.Rows {
		c := postgres.CohortCreated{Line: r.Line, SettingReference: r.SettingReference, ApplicationID: "app_" + r.SettingReference,
			ApplicantID: "p_" + r.SettingReference, ApplicantInvited: i%2 == 0}
		reg, err := imp.Registration(r, c.ApplicationID, c.ApplicantID, "")
		if err != nil {
			return out, err
		}
		f.regs = append(f.regs, reg)
		out.Created = append(out.Created, c)
	}
	return out, nil
}

func (f *fakeStore) TenantSettings(_ context.Context, _ string, def award.Settings) (award.Settings, error) {
	return def, nil
}

func (f *fakeStore) CurrentFramework(_ context.Context, variant string, out any) error {
	*(out.(*award.Framework)) = award.Framework{ID: "fw_" + variant, Version: 2, Variant: award.Variant(variant)}
	return nil
}

func (f *fakeStore) MarkJourneyStarted(_ context.Context, id string, _ *postgres.AuditEntry) (bool, error) {
	f.marked = append(f.marked, id)
	return true, nil
}

type fakeTemporal struct {
	started []string
	err     error
}

func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.started = append(f.started, o.ID)
	return nil, nil
}

type fakeLinks struct{ sent []string }

func (l *fakeLinks) SendInvitation(_ context.Context, tenantID, personID string) error {
	l.sent = append(l.sent, personID)
	return nil
}

var admin = postgres.Person{ID: "p_admin", TenantID: "t1", Roles: []string{"admin"}, Active: true}

const twoRows = header +
	"100001,Oak,caring_schools,primary,,Ann,ann@oak.example,,\n" +
	"100002,Elm,caring_schools,secondary,,Bo,bo@elm.example,,\n"

func service(db *fakeStore, tc *fakeTemporal, links *fakeLinks) *Service {
	return &Service{DB: db, Temporal: tc, Links: links, Now: func() time.Time { return now }}
}

func TestImportRegistersStartsAndInvitesAfterCommit(t *testing.T) {
	db, tc, links := &fakeStore{}, &fakeTemporal{}, &fakeLinks{}
	res, err := service(db, tc, links).Import(context.Background(), admin, strings.NewReader(twoRows), false)
	if err != nil {
		t.Fatal(err)
	}
	if res.DryRun || len(res.Applications) != 2 || res.Applications[0].Journey != "started" || res.Applications[1].Line != 3 {
		t.Fatalf("%+v", res)
	}
	if len(db.regs) != 2 || len(db.regs[0].JourneyInput) == 0 || db.regs[1].FrameworkID != "fw_secondary" || db.regs[0].TenantID != "t1" {
		t.Fatalf("registrations %+v", db.regs)
	}
	if len(tc.started) != 2 || len(db.marked) != 2 {
		t.Fatalf("started %v marked %v", tc.started, db.marked)
	}
	if len(links.sent) != 1 || links.sent[0] != "p_100001" { // only the new person
		t.Fatalf("invited %v", links.sent)
	}
	if db.imports[0].Actor != "p_admin" || db.imports[0].TenantID != "t1" {
		t.Fatalf("%+v", db.imports[0])
	}
}

func TestImportLeavesAFailedStartToTheSweeper(t *testing.T) {
	db, tc := &fakeStore{}, &fakeTemporal{err: errors.New("temporal down")}
	res, err := service(db, tc, &fakeLinks{}).Import(context.Background(), admin, strings.NewReader(twoRows), false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applications[0].Journey != "starting" || len(db.marked) != 0 {
		t.Fatalf("%+v", res)
	}
}

func TestDryRunStartsAndInvitesNothing(t *testing.T) {
	db, tc, links := &fakeStore{}, &fakeTemporal{}, &fakeLinks{}
	res, err := service(db, tc, links).Import(context.Background(), admin, strings.NewReader(twoRows), true)
	if err != nil {
		t.Fatal(err)
	}
	if !res.DryRun || len(res.Applications) != 2 || !db.imports[0].DryRun || len(tc.started)+len(links.sent) != 0 {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(res.Message, "nothing was imported") {
		t.Fatal(res.Message)
	}
}

func TestImportRefusals(t *testing.T) {
	three := header + "1,,caring_schools,primary,,A,a@x.example,,\n2,B,nope,primary,,B,b@x.example,,\n" +
		"3,C,caring_schools,primary,,C,c@x.example,,\n4,D,caring_schools,primary,,D,bad,,\n"
	var p *structs.CohortProblem
	tc, links := &fakeTemporal{}, &fakeLinks{}
	checked := &fakeStore{}
	_, err := service(checked, tc, links).Import(context.Background(), admin, strings.NewReader(three), false)
	if !errors.As(err, &p) || p.Status != 422 || !strings.Contains(p.Detail, "nothing was imported: 3 rows have problems") || len(p.Rows) != 3 {
		t.Fatalf("%v %+v", err, p)
	}
	// The good row was checked against the database too, in a dry run: nothing written.
	if len(checked.imports) != 1 || !checked.imports[0].DryRun || len(checked.imports[0].Rows) != 1 || len(tc.started)+len(links.sent) != 0 {
		t.Fatalf("%+v", checked.imports)
	}
	// The file's problems and the database's come in one answer, by line.
	merged := &fakeStore{problems: []postgres.CohortProblem{{Line: 4, Column: "applicant_email", Message: "staff"}}}
	_, err = service(merged, tc, links).Import(context.Background(), admin, strings.NewReader(three), false)
	if !errors.As(err, &p) || !strings.Contains(p.Detail, "4 rows have problems") || p.Rows[2].Line != 4 || p.Rows[3].Line != 5 {
		t.Fatalf("%v %+v", err, p)
	}
	// Problems found in the database refuse the file the same way.
	db := &fakeStore{problems: []postgres.CohortProblem{{Line: 3, Column: "applicant_email", Message: "staff"}}}
	_, err = service(db, &fakeTemporal{}, &fakeLinks{}).Import(context.Background(), admin, strings.NewReader(twoRows), false)
	if !errors.As(err, &p) || !strings.Contains(p.Detail, "1 row has problems") || p.Rows[0].Line != 3 {
		t.Fatalf("%v %+v", err, p)
	}
	var forbidden *structs.Problem
	_, err = service(&fakeStore{}, nil, nil).Import(context.Background(), postgres.Person{Roles: []string{"assessor"}}, strings.NewReader(twoRows), false)
	if !errors.As(err, &forbidden) || forbidden.Status != 403 {
		t.Fatalf("%v", err)
	}
}

func TestImportOfAFileWithTooManyProblemsSaysMoreThan(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range 300 {
		b.WriteString(strings.Repeat(",", 8) + "\n")
		_ = i
	}
	var p *structs.CohortProblem
	_, err := service(&fakeStore{}, nil, nil).Import(context.Background(), admin, strings.NewReader(b.String()), false)
	if !errors.As(err, &p) || len(p.Rows) != MaxProblems || !strings.Contains(p.Detail, "nothing was imported: more than") {
		t.Fatalf("%v", err)
	}
}
