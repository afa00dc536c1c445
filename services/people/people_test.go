package people

import (
	"context"
	"errors"
	"slices"
	"testing"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// fakeStore keeps people in memory, with the storage's refusals reduced to what the service
// must translate.
type fakeStore struct {
	people  map[string]postgres.Person
	nextErr error // returned once by the next change
	audit   []string
}

func newStore(people ...postgres.Person) *fakeStore {
	f := &fakeStore{people: map[string]postgres.Person{}}
	for _, p := range people {
		f.people[p.ID] = p
	}
	return f
}

func (f *fakeStore) takeErr() error { err := f.nextErr; f.nextErr = nil; return err }

func (f *fakeStore) InvitePerson(_ context.Context, p postgres.Person, actor string) (postgres.Person, error) {
	if err := f.takeErr(); err != nil {
		return p, err
	}
	for _, q := range f.people {
		if q.TenantID == p.TenantID && q.Email == p.Email {
			return p, &postgres.MemberExistsError{PersonID: q.ID}
		}
	}
	roles, err := postgres.CheckRoles("roles", p.Roles)
	if err != nil {
		return p, err
	}
	p.ID, p.Roles, p.Active = "p_new"+p.Email, roles, true
	f.people[p.ID] = p
	f.audit = append(f.audit, actor+" invited "+p.ID)
	return p, nil
}

func (f *fakeStore) SetPersonRoles(_ context.Context, tenantID, id string, roles []string, actor string) (postgres.PersonChange, error) {
	if err := f.takeErr(); err != nil {
		return postgres.PersonChange{}, err
	}
	p, ok := f.people[id]
	if !ok || p.TenantID != tenantID {
		return postgres.PersonChange{}, postgres.ErrNotFound
	}
	p.Roles = roles
	f.people[id] = p
	f.audit = append(f.audit, actor+" roles "+id)
	return postgres.PersonChange{Person: p, Changed: true}, nil
}

func (f *fakeStore) SetPersonActive(_ context.Context, tenantID, id string, active bool, actor string) (postgres.PersonChange, error) {
	if err := f.takeErr(); err != nil {
		return postgres.PersonChange{}, err
	}
	p, ok := f.people[id]
	if !ok || p.TenantID != tenantID {
		return postgres.PersonChange{}, postgres.ErrNotFound
	}
	changed := p.Active != active
	p.Active = active
	f.people[id] = p
	return postgres.PersonChange{Person: p, Changed: changed}, nil
}

func (f *fakeStore) People(_ context.Context, fl postgres.PeopleFilter) ([]postgres.Person, error) {
	var out []postgres.Person
	for _, p := range f.people {
		if p.TenantID == fl.TenantID && (fl.Role == "" || p.Has(fl.Role)) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b postgres.Person) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out, nil
}

func (f *fakeStore) PersonByEmail(_ context.Context, tenantID, email string) (postgres.Person, error) {
	for _, p := range f.people {
		if p.TenantID == tenantID && p.Email == email {
			return p, nil
		}
	}
	return postgres.Person{}, postgres.ErrNotFound
}

func (f *fakeStore) EnsureApplicant(ctx context.Context, c postgres.Person) (postgres.Person, error) {
	p, err := f.PersonByEmail(ctx, c.TenantID, c.Email)
	if err != nil {
		return p, err
	}
	if p.Has(postgres.RoleAssessor) || p.Has(postgres.RoleAdmin) || p.Has(postgres.RoleModerator) {
		return p, &postgres.StaffAddressError{Roles: []string{postgres.RoleAssessor}}
	}
	return p, nil
}

type fakeLinks struct {
	sent []string
	err  error
}

func (l *fakeLinks) SendInvitation(_ context.Context, tenantID, personID string) error {
	if l.err != nil {
		return l.err
	}
	l.sent = append(l.sent, tenantID+"/"+personID)
	return nil
}

var (
	admin     = postgres.Person{ID: "p_admin", TenantID: "t1", Name: "Ada", Email: "ada@t1.example", Roles: []string{"admin"}, Active: true}
	assessor  = postgres.Person{ID: "p_ass", TenantID: "t1", Name: "Sam", Email: "sam@t1.example", Roles: []string{"assessor"}, Active: true}
	otherTen  = postgres.Person{ID: "p_other", TenantID: "t2", Name: "Olu", Email: "olu@t2.example", Roles: []string{"assessor"}, Active: true}
	applicant = postgres.Person{ID: "p_app", TenantID: "t1", Name: "Ann", Email: "ann@t1.example", Roles: []string{"applicant"}, Active: true}
)

func problemStatus(t *testing.T, err error) (int, string) {
	t.Helper()
	var p *structs.Problem
	if !errors.As(err, &p) {
		t.Fatalf("want a *structs.Problem, got %T %v", err, err)
	}
	return p.Status, p.Type
}

func TestInviteCreatesAndSendsTheLink(t *testing.T) {
	db, links := newStore(admin), &fakeLinks{}
	s := &Service{DB: db, Links: links}
	v, err := s.Invite(context.Background(), admin, structs.InviteRequest{Name: " Bo ", Email: " Bo@T1.example ", Roles: []string{"moderator", "Assessor"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Email != "bo@t1.example" || v.Name != "Bo" || !slices.Equal(v.Roles, []string{"assessor", "moderator"}) || !v.Active {
		t.Fatalf("view %+v", v)
	}
	if v.Invitation != InvitationSent || len(links.sent) != 1 || links.sent[0] != "t1/"+v.ID {
		t.Fatalf("invitation %q, sent %v", v.Invitation, links.sent)
	}
	if len(db.audit) != 1 || db.audit[0] != "p_admin invited "+v.ID {
		t.Fatalf("audit %v", db.audit)
	}
}

func TestInviteRefusals(t *testing.T) {
	cases := []struct {
		name   string
		me     postgres.Person
		req    structs.InviteRequest
		status int
		kind   string
	}{
		{"not an admin", assessor, structs.InviteRequest{Name: "X", Email: "x@a.example", Roles: []string{"applicant"}}, 403, "forbidden"},
		{"no name", admin, structs.InviteRequest{Email: "x@a.example", Roles: []string{"applicant"}}, 422, "invalid"},
		{"control character in name", admin, structs.InviteRequest{Name: "X\x07", Email: "x@a.example", Roles: []string{"applicant"}}, 422, "invalid"},
		{"bad email", admin, structs.InviteRequest{Name: "X", Email: "not-an-address", Roles: []string{"applicant"}}, 422, "invalid"},
		{"display name", admin, structs.InviteRequest{Name: "X", Email: "X <x@a.example>", Roles: []string{"applicant"}}, 422, "invalid"},
		{"no roles", admin, structs.InviteRequest{Name: "X", Email: "x@a.example"}, 422, "invalid"},
		{"unknown role", admin, structs.InviteRequest{Name: "X", Email: "x@a.example", Roles: []string{"root"}}, 422, "invalid"},
		{"already a member", admin, structs.InviteRequest{Name: "Sam", Email: "sam@t1.example", Roles: []string{"moderator"}}, 409, "already-member"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			links := &fakeLinks{}
			s := &Service{DB: newStore(admin, assessor), Links: links}
			_, err := s.Invite(context.Background(), c.me, c.req)
			if st, kind := problemStatus(t, err); st != c.status || kind != c.kind {
				t.Fatalf("got %d %s, want %d %s (%v)", st, kind, c.status, c.kind, err)
			}
			if len(links.sent) != 0 {
				t.Fatal("a refused invitation sent an email")
			}
		})
	}
}

func TestInviteWhoseEmailFailsStillCreatesAndSaysSo(t *testing.T) {
	s := &Service{DB: newStore(admin), Links: &fakeLinks{err: errors.New("outbox down")}}
	v, err := s.Invite(context.Background(), admin, structs.InviteRequest{Name: "Bo", Email: "bo@t1.example", Roles: []string{"applicant"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Invitation != InvitationNotSent || v.InvitationProblem == "" {
		t.Fatalf("%+v", v)
	}
}

func TestSetRolesAndActiveTranslateRefusals(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		me     postgres.Person
		id     string
		err    error
		status int
		kind   string
	}{
		{"not an admin", assessor, "p_app", nil, 403, "forbidden"},
		{"another tenant's person", admin, "p_other", nil, 404, "not-found"},
		{"unknown person", admin, "p_nobody", nil, 404, "not-found"},
		{"open work", admin, "p_ass", &postgres.OpenWorkError{Role: "assessor", Open: 2}, 409, "open-work"},
		{"last admin", admin, "p_admin", &postgres.LastAdminError{Change: "remove the admin role"}, 409, "last-admin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := newStore(admin, assessor, applicant, otherTen)
			s := &Service{DB: db}
			db.nextErr = c.err
			_, err := s.SetRoles(ctx, c.me, c.id, structs.RolesRequest{Roles: []string{"applicant"}})
			if st, kind := problemStatus(t, err); st != c.status || kind != c.kind {
				t.Fatalf("roles: got %d %s, want %d %s", st, kind, c.status, c.kind)
			}
			db.nextErr = c.err
			_, err = s.SetActive(ctx, c.me, c.id, false)
			if st, kind := problemStatus(t, err); st != c.status || kind != c.kind {
				t.Fatalf("active: got %d %s, want %d %s", st, kind, c.status, c.kind)
			}
		})
	}
	s := &Service{DB: newStore(admin, applicant)}
	if _, err := s.SetRoles(ctx, admin, "p_app", structs.RolesRequest{}); err == nil {
		t.Fatal("roles omitted: accepted")
	}
	v, err := s.SetActive(ctx, admin, "p_app", false)
	if err != nil || v.Active || !v.Changed {
		t.Fatalf("deactivate: %+v %v", v, err)
	}
	v, err = s.SetActive(ctx, admin, "p_app", false)
	if err != nil || v.Changed {
		t.Fatalf("deactivate again: %+v %v", v, err)
	}
}

func TestListIsTheAdminsTenantOnly(t *testing.T) {
	s := &Service{DB: newStore(admin, assessor, applicant, otherTen)}
	l, err := s.List(context.Background(), admin, structs.PeopleQuery{Role: "Assessor"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.People) != 1 || l.People[0].ID != "p_ass" {
		t.Fatalf("%+v", l)
	}
	if _, err := s.List(context.Background(), admin, structs.PeopleQuery{Role: "root"}); err == nil {
		t.Fatal("unknown role accepted")
	}
	if _, err := s.List(context.Background(), applicant, structs.PeopleQuery{}); err == nil {
		t.Fatal("an applicant listed people")
	}
}

func TestApplicantInvitesNewAddressesAndRefusesStaff(t *testing.T) {
	ctx := context.Background()
	db, links := newStore(admin, assessor, applicant), &fakeLinks{}
	s := &Service{DB: db, Links: links}
	p, invited, err := s.Applicant(ctx, admin, "New Person", "new@t1.example")
	if err != nil || !invited || !p.Has("applicant") {
		t.Fatalf("new: %+v %v %v", p, invited, err)
	}
	if len(links.sent) != 0 {
		t.Fatal("invitation sent before the registration committed")
	}
	if got, _ := s.Welcome(ctx, p); got != InvitationSent || len(links.sent) != 1 {
		t.Fatalf("welcome: %s %v", got, links.sent)
	}
	p, invited, err = s.Applicant(ctx, admin, "Ann", "ann@t1.example")
	if err != nil || invited || p.ID != "p_app" {
		t.Fatalf("existing applicant: %+v %v %v", p, invited, err)
	}
	_, _, err = s.Applicant(ctx, admin, "Sam", "sam@t1.example")
	if st, kind := problemStatus(t, err); st != 409 || kind != "staff-address" {
		t.Fatalf("staff: %d %s", st, kind)
	}
	gone := applicant
	gone.ID, gone.Email, gone.Active = "p_gone", "gone@t1.example", false
	db.people[gone.ID] = gone
	_, _, err = s.Applicant(ctx, admin, "Gone", "gone@t1.example")
	if st, kind := problemStatus(t, err); st != 409 || kind != "deactivated" {
		t.Fatalf("deactivated: %d %s", st, kind)
	}
}
