package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

var (
	admin     = award.Person{ID: "p-admin", TenantID: "north", Roles: []string{award.RoleAdmin}}
	applicant = award.Person{ID: "p-app", TenantID: "north", Roles: []string{award.RoleApplicant}}
	assessor  = award.Person{ID: "p-ass", TenantID: "north", Roles: []string{award.RoleAssessor}}
)

// fakeStore answers the few calls the tests expect; any other call panics (nil Store), which
// is how the tests see that a refused request reached the database.
type fakeStore struct {
	Store
	reported  bool
	assessor  postgres.AssessorProfile
	upsertErr error
	roleErr   error
	settings  map[string]string // reference or id → id, of tenant north
}

func (f *fakeStore) Report(_ context.Context, tenantID string, from, to time.Time) (postgres.Report, error) {
	f.reported = true
	return postgres.Report{TenantID: tenantID, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}, nil
}

func (f *fakeStore) Search(_ context.Context, _ string, _ string, _ int) ([]postgres.SearchResult, error) {
	return nil, nil
}

func (f *fakeStore) Assessor(_ context.Context, tenantID, personID string) (postgres.AssessorProfile, error) {
	if f.assessor.PersonID != personID || tenantID != "north" {
		return postgres.AssessorProfile{}, fmt.Errorf("assessor %s: %w", personID, postgres.ErrNotFound)
	}
	return f.assessor, nil
}

func (f *fakeStore) UpsertAssessor(_ context.Context, _ string, p postgres.AssessorProfile) (postgres.AssessorProfile, error) {
	return p, f.upsertErr
}

func (f *fakeStore) SettingID(_ context.Context, tenantID, ref string) (string, error) {
	if id, ok := f.settings[ref]; ok && tenantID == "north" {
		return id, nil
	}
	return "", fmt.Errorf("setting %s: %w", ref, postgres.ErrNotFound)
}

func (f *fakeStore) GrantRole(context.Context, string, string, string, string) (postgres.RoleChange, error) {
	return postgres.RoleChange{}, f.roleErr
}

func (f *fakeStore) RevokeRole(context.Context, string, string, string, string) (postgres.RoleChange, error) {
	return postgres.RoleChange{}, f.roleErr
}

func newService() (*Service, *fakeStore) {
	db := &fakeStore{settings: map[string]string{}}
	return &Service{DB: db, Apps: &applications.Service{}}, db
}

func problemOf(t *testing.T, err error) *structs.Problem {
	t.Helper()
	var p *structs.Problem
	if !errors.As(err, &p) {
		t.Fatalf("want a problem, got %v", err)
	}
	return p
}

// TestOnlyAdmins: every admin method refuses anyone else before it reads anything.
func TestOnlyAdmins(t *testing.T) {
	s, _ := newService()
	ctx := context.Background()
	for _, me := range []award.Person{applicant, assessor} {
		calls := map[string]error{}
		_, _, calls["report"] = s.Report(ctx, me, structs.ReportQuery{From: "2026-01-01", To: "2026-02-01"})
		_, calls["audit"] = s.Audit(ctx, me, structs.AuditQuery{})
		_, calls["search"] = s.Search(ctx, me, structs.SearchQuery{Q: "oak"})
		_, calls["stuck"] = s.Stuck(ctx, me)
		_, calls["detail"] = s.Detail(ctx, me, "app-1")
		_, calls["retry"] = s.Retry(ctx, me, "app-1")
		_, calls["roster"] = s.Roster(ctx, me)
		_, calls["put roster"] = s.PutRoster(ctx, me, "p-ass", structs.RosterUpdate{})
		_, calls["add conflict"] = s.AddConflict(ctx, me, "p-ass", structs.ConflictRequest{SettingReference: "URN", Reason: "x"})
		calls["remove conflict"] = s.RemoveConflict(ctx, me, "p-ass", "URN")
		_, calls["grant"] = s.GrantRole(ctx, me, "p-ass", "moderator")
		_, calls["revoke"] = s.RevokeRole(ctx, me, "p-ass", "moderator")
		for name, err := range calls {
			if p := problemOf(t, err); p.Status != http.StatusForbidden {
				t.Errorf("%s by %v: %d", name, me.Roles, p.Status)
			}
		}
	}
}

func TestQueriesAreChecked(t *testing.T) {
	s, db := newService()
	ctx := context.Background()
	cases := []struct {
		name  string
		err   error
		field string
	}{
		{"report needs from", second(s.Report(ctx, admin, structs.ReportQuery{To: "2026-01-01"})), "from"},
		{"report needs to", second(s.Report(ctx, admin, structs.ReportQuery{From: "2026-01-01"})), "to"},
		{"report dates are dates", second(s.Report(ctx, admin, structs.ReportQuery{From: "01/01/2026", To: "2026-02-01"})), "from"},
		{"report from after to", second(s.Report(ctx, admin, structs.ReportQuery{From: "2026-03-01", To: "2026-02-01"})), "from"},
		{"report format", second(s.Report(ctx, admin, structs.ReportQuery{From: "2026-01-01", To: "2026-02-01", Format: "xlsx"})), "format"},
		{"audit format", errOf(s.Audit(ctx, admin, structs.AuditQuery{Format: "pdf"})), "format"},
		{"search needs q", errOf(s.Search(ctx, admin, structs.SearchQuery{Q: "  "})), "q"},
		{"search q is short", errOf(s.Search(ctx, admin, structs.SearchQuery{Q: string(make([]byte, 201))})), "q"},
		{"search limit", errOf(s.Search(ctx, admin, structs.SearchQuery{Q: "oak", Limit: "500"})), "limit"},
		{"capacity", errOf(s.PutRoster(ctx, admin, "p-ass", structs.RosterUpdate{Capacity: ptr(101)})), "capacity"},
		{"conflict: one setting", errOf(s.AddConflict(ctx, admin, "p-ass", structs.ConflictRequest{SettingReference: "URN", SettingID: "set-1", Reason: "x"})), "setting_reference"},
		{"conflict: a setting", errOf(s.AddConflict(ctx, admin, "p-ass", structs.ConflictRequest{Reason: "x"})), "setting_reference"},
		{"conflict: a reason", errOf(s.AddConflict(ctx, admin, "p-ass", structs.ConflictRequest{SettingReference: "URN", Reason: " "})), "reason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := problemOf(t, c.err)
			if p.Status != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
				t.Fatalf("want 422 naming %s, got %+v", c.field, p)
			}
		})
	}
	if db.reported {
		t.Fatal("a refused report query reached the database")
	}
	rep, asCSV, err := s.Report(ctx, admin, structs.ReportQuery{From: "2026-01-01", To: "2026-01-31", Format: " CSV "})
	if err != nil || !asCSV || rep.TenantID != "north" {
		t.Fatalf("report %+v csv %v: %v", rep, asCSV, err)
	}
}

// TestRosterRefusals: another tenant's (or an unknown) setting is not found, a bad value names
// its field, and a role still holding work is a conflict.
func TestRosterRefusals(t *testing.T) {
	s, db := newService()
	ctx := context.Background()
	_, err := s.AddConflict(ctx, admin, "p-ass", structs.ConflictRequest{SettingReference: "URN-EAST", Reason: "x"})
	if p := problemOf(t, err); p.Status != http.StatusNotFound || p.Detail != "setting URN-EAST" {
		t.Fatalf("another tenant's setting: %+v", p)
	}
	db.upsertErr = &award.InputError{Field: "tracks", Message: "unknown track"}
	_, err = s.PutRoster(ctx, admin, "p-new", structs.RosterUpdate{})
	if p := problemOf(t, err); p.Status != 422 || p.Errors[0].Field != "tracks" {
		t.Fatalf("bad value: %+v", p)
	}
	db.roleErr = &postgres.OpenWorkError{}
	_, err = s.RevokeRole(ctx, admin, "p-ass", "assessor")
	if p := problemOf(t, err); p.Status != http.StatusConflict || p.Type != "open-work" {
		t.Fatalf("open work: %+v", p)
	}
	db.roleErr = errors.New("db down")
	if _, err = s.GrantRole(ctx, admin, "p-ass", "assessor"); err == nil || errors.As(err, new(*structs.Problem)) {
		t.Fatalf("a dependency failure must stay itself: %v", err)
	}
}

func TestTimelineAndFileNames(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	lines := []postgres.AuditLine{
		{AuditEntry: postgres.AuditEntry{At: t0, StageAfter: "toolkit", Actor: "p-app", Action: "registered"}},
		{AuditEntry: postgres.AuditEntry{At: t0.Add(time.Hour), StageAfter: "toolkit", Action: "toolkit_opened"}},
		{AuditEntry: postgres.AuditEntry{At: t0.Add(7 * 24 * time.Hour), StageAfter: "portfolio", Action: "evidence_added"}},
	}
	tl := timeline(lines, t0.Add(8*24*time.Hour))
	if len(tl) != 2 || tl[0].Stage != "toolkit" || tl[0].WorkingDays != 5 || tl[1].From != "toolkit" || tl[1].Until != nil {
		t.Fatalf("timeline %+v", tl)
	}
	if got := FileSafe(`north/../"x".csv`); got != "north_..__x_.csv" {
		t.Fatalf("FileSafe: %q", got)
	}
}

func second[A, B any](_ A, _ B, err error) error { return err }
func errOf[A any](_ A, err error) error          { return err }
func ptr[T any](v T) *T                          { return &v }
