package applications

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

func validRegistration() structs.RegisterRequest {
	return structs.RegisterRequest{SettingReference: " URN-1 ", SettingName: "Oak Primary", Track: "caring_schools", Variant: "primary"}
}

func TestRegistrationIsChecked(t *testing.T) {
	tomorrow := time.Now().Add(48 * time.Hour).Format(time.DateOnly)
	cases := []struct {
		name   string
		me     award.Person
		change func(*structs.RegisterRequest)
		status int
		field  string // the field the problem names ("" when none)
	}{
		{"a supporter cannot register", supporter, nil, 403, ""},
		{"an assessor cannot register", assessor, nil, 403, ""},
		{"setting reference required", applicant, func(r *structs.RegisterRequest) { r.SettingReference = "  " }, 422, "setting_reference"},
		{"setting name required", applicant, func(r *structs.RegisterRequest) { r.SettingName = "" }, 422, "setting_name"},
		{"unknown track", applicant, func(r *structs.RegisterRequest) { r.Track = "nope" }, 422, "track"},
		{"variant of another track", applicant, func(r *structs.RegisterRequest) { r.Variant = "childminder" }, 422, "variant"},
		{"first-year foster needs an approval date", applicant, func(r *structs.RegisterRequest) {
			r.Track, r.Variant = "learning_homes", "first_year_foster"
		}, 422, "approval_date"},
		{"approval date in the future", applicant, func(r *structs.RegisterRequest) {
			r.Track, r.Variant, r.ApprovalDate = "learning_homes", "first_year_foster", tomorrow
		}, 422, "approval_date"},
		{"approval date of another variant", applicant, func(r *structs.RegisterRequest) { r.ApprovalDate = "2024-01-01" }, 422, "approval_date"},
		{"an applicant registering for someone else", applicant, func(r *structs.RegisterRequest) { r.ApplicantEmail = "x@example.org" }, 403, ""},
		{"an admin must name the applicant", admin, nil, 422, "applicant_email"},
		{"an admin gives a valid address", admin, func(r *structs.RegisterRequest) { r.ApplicantName, r.ApplicantEmail = "Ann", "not-an-address" }, 422, "applicant_email"},
		{"unknown supporter", applicant, func(r *structs.RegisterRequest) { r.SupporterEmail = "nobody@example.org" }, 422, "supporter_email"},
		{"a supporter address that is not a supporter's", applicant, func(r *structs.RegisterRequest) { r.SupporterEmail = "ass@example.org" }, 422, "supporter_email"},
		{"another tenant's supporter", applicant, func(r *structs.RegisterRequest) { r.SupporterEmail = "east-sup@example.org" }, 422, "supporter_email"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, db, tc := newService()
			db.people["ass@example.org"] = award.Person{ID: "p-ass", TenantID: "north", Roles: []string{award.RoleAssessor}}
			db.people["east-sup@example.org"] = award.Person{ID: "p-es", TenantID: "east", Roles: []string{award.RoleSupporter}}
			req := validRegistration()
			if c.change != nil {
				c.change(&req)
			}
			_, err := s.Register(context.Background(), c.me, req)
			var p *structs.Problem
			if !errors.As(err, &p) || p.Status != c.status {
				t.Fatalf("want %d, got %v", c.status, err)
			}
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Fatalf("want the field %s named, got %+v", c.field, p)
			}
			if len(db.registered) != 0 || len(tc.launched) != 0 {
				t.Fatal("a refused registration was recorded or started")
			}
		})
	}
}

func TestRegisterRecordsAndStarts(t *testing.T) {
	s, db, tc := newService()
	db.people["sup@example.org"] = award.Person{ID: "p-sup", TenantID: "north", Roles: []string{award.RoleSupporter}}
	req := validRegistration()
	req.SupporterEmail = "sup@example.org"
	reg, err := s.Register(context.Background(), applicant, req)
	if err != nil {
		t.Fatal(err)
	}
	if !reg.Started || reg.View == nil || reg.View.ID != reg.ID || len(tc.launched) != 1 {
		t.Fatalf("registration %+v, launched %v", reg, tc.launched)
	}
	r := db.registered[0]
	if r.SettingReference != "URN-1" || r.ApplicantID != applicant.ID || r.SupporterID != "p-sup" || r.TenantID != "north" || len(r.JourneyInput) == 0 {
		t.Fatalf("recorded %+v", r)
	}
	if a, ok := reg.Answer().(structs.Application); !ok || a.ID != reg.ID {
		t.Fatalf("answer %#v", reg.Answer())
	}
}

// TestRegisterIsNeverUndone: a journey that cannot be started now leaves the registration
// committed and says it is starting; a new journey whose worker has not answered yet (its
// query would fail or wait) is still answered in full, from what registration knows.
func TestRegisterIsNeverUndone(t *testing.T) {
	s, db, tc := newService()
	tc.launchErr = errors.New("temporal: unavailable")
	reg, err := s.Register(context.Background(), applicant, validRegistration())
	if err != nil || reg.Started || len(db.registered) != 1 {
		t.Fatalf("reg %+v, err %v, rows %d", reg, err, len(db.registered))
	}
	if a, ok := reg.Answer().(structs.Registered); !ok || a.Message != JourneyStartingMessage || a.Stage != award.StageToolkit {
		t.Fatalf("answer %#v", reg.Answer())
	}

	s, _, tc = newService()
	tc.queryErr = errors.New("no worker yet")
	reg, err = s.Register(context.Background(), applicant, validRegistration())
	if err != nil || !reg.Started || reg.View == nil {
		t.Fatalf("reg %+v, err %v", reg, err)
	}
	if a, ok := reg.Answer().(structs.Application); !ok || a.ID != reg.ID || a.Stage != award.StageToolkit || a.Setting.Reference != "URN-1" {
		t.Fatalf("answer %#v", reg.Answer())
	}
}

func TestRegisterRefusals(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(*fakeStore)
		me     award.Person
		status int
		typ    string
	}{
		{"a second active application", func(db *fakeStore) { db.registerErr = &postgres.DuplicateError{ExistingID: "app-old"} }, applicant, 409, "duplicate-application"},
		{"another applicant's setting", func(db *fakeStore) { db.registerErr = &postgres.SettingOwnedError{Reference: "URN-1"} }, applicant, 403, "forbidden"},
		{"a staff address never becomes an applicant", func(db *fakeStore) {
			db.applicantErr = &postgres.StaffAddressError{Roles: []string{award.RoleAssessor}}
		}, admin, 409, "staff-address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, db, tc := newService()
			c.setup(db)
			req := validRegistration()
			if c.me.Has(award.RoleAdmin) {
				req.ApplicantName, req.ApplicantEmail = "Ann", "ann@example.org"
			}
			_, err := s.Register(context.Background(), c.me, req)
			var p *structs.Problem
			if !errors.As(err, &p) || p.Status != c.status || p.Type != c.typ {
				t.Fatalf("want %d %s, got %v", c.status, c.typ, err)
			}
			if c.typ == "duplicate-application" && p.ExistingID != "app-old" {
				t.Fatalf("the existing application is not named: %+v", p)
			}
			if len(tc.launched) != 0 {
				t.Fatal("a refused registration started a journey")
			}
		})
	}
}

func TestAdminRegistersOnSomeonesBehalf(t *testing.T) {
	s, db, _ := newService()
	req := validRegistration()
	req.ApplicantName, req.ApplicantEmail = "Ann", "ann@example.org"
	if _, err := s.Register(context.Background(), admin, req); err != nil {
		t.Fatal(err)
	}
	if got := db.registered[0].ApplicantID; got != "person-invited" {
		t.Fatalf("registered for %q, not the applicant named", got)
	}
	if !strings.HasPrefix(db.registered[0].ApplicationID, "app") {
		t.Fatalf("application id %q", db.registered[0].ApplicationID)
	}
}
