package applications

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// copiesStore adds the outbox and the listing to fakeStore: emails by application and
// recipient, and what each listing asked for.
type copiesStore struct {
	*fakeStore
	emails   map[string][]structs.SentEmail // by application id + "/" + recipient
	emailErr error
	filters  []postgres.ApplicationFilter
}

func (c *copiesStore) EmailsTo(_ context.Context, tenantID, applicationID, personID string) ([]structs.SentEmail, error) {
	if c.emailErr != nil {
		return nil, c.emailErr
	}
	if tenantID != "north" {
		return nil, nil
	}
	return c.emails[applicationID+"/"+personID], nil
}

func (c *copiesStore) Applications(_ context.Context, f postgres.ApplicationFilter) ([]postgres.Application, error) {
	c.filters = append(c.filters, f)
	var out []postgres.Application
	for _, a := range c.apps {
		if a.TenantID == f.TenantID && (f.SupporterID == "" || a.SupporterID == f.SupporterID) &&
			(f.ApplicantID == "" || a.ApplicantID == f.ApplicantID) {
			out = append(out, a)
		}
	}
	return out, nil
}

func supporterFixture(t *testing.T) (*Service, *copiesStore) {
	t.Helper()
	s := accessFixture(t)
	db := &copiesStore{fakeStore: s.DB.(*fakeStore), emails: map[string][]structs.SentEmail{}}
	s.DB = db
	sent := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	db.emails["app-1/p-sup"] = []structs.SentEmail{
		{MessageType: "welcome_supporter", RecipientID: "p-sup", Subject: "You are the supporter of Hill Primary", Status: "sent", SentAt: &sent},
		{MessageType: "first_year_reminder_supporter", RecipientID: "p-sup", Subject: "First-year workbook due", Status: "pending"},
	}
	db.emails["app-1/p-app"] = []structs.SentEmail{{MessageType: "welcome", RecipientID: "p-app", Subject: "Welcome"}}
	return s, db
}

func TestSupporterCopies(t *testing.T) {
	s, _ := supporterFixture(t)
	got, err := s.SupporterCopies(t.Context(), supporter, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Application.ID != "app-1" || len(got.Copies) != 2 || got.Copies[0].MessageType != "welcome_supporter" ||
		got.Copies[1].SentAt != nil {
		t.Fatalf("the supporter's copies: %+v", got)
	}
}

// Only the application's supporter has copies: its applicant, an admin and the assessor may
// read the application but are refused; anyone else finds nothing.
func TestSupporterCopiesRefusals(t *testing.T) {
	s, _ := supporterFixture(t)
	otherSupporter := award.Person{ID: "p-sup2", TenantID: "north", Roles: []string{award.RoleSupporter}}
	eastSupporter := award.Person{ID: "p-sup", TenantID: "east", Roles: []string{award.RoleSupporter}}
	lapsedSupporter := award.Person{ID: "p-sup", TenantID: "north", Roles: []string{award.RoleApplicant}}
	cases := []struct {
		who  string
		me   award.Person
		id   string
		want int
	}{
		{"the applicant", applicant, "app-1", http.StatusForbidden},
		{"an admin", admin, "app-1", http.StatusForbidden},
		{"the assessor holding it", assessor, "app-1", http.StatusForbidden},
		{"another supporter", otherSupporter, "app-1", http.StatusNotFound},
		{"another tenant's person with the same id", eastSupporter, "app-1", http.StatusNotFound},
		{"the supporter without the role any more", lapsedSupporter, "app-1", http.StatusNotFound},
		{"another applicant", stranger, "app-1", http.StatusNotFound},
		{"no such application", supporter, "app-nope", http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.who, func(t *testing.T) {
			got, err := s.SupporterCopies(t.Context(), c.me, c.id)
			p, _ := Problem(err, true)
			if err == nil || p.Status != c.want {
				t.Fatalf("got %+v, %v (status %d); want %d", got, err, p.Status, c.want)
			}
			if got.Copies != nil {
				t.Errorf("copies leaked with the refusal: %+v", got.Copies)
			}
		})
	}
}

// The outbox failing is a read that changed nothing: 503, try again.
func TestSupporterCopiesStoreDown(t *testing.T) {
	s, db := supporterFixture(t)
	db.emailErr = errors.New("connection refused")
	_, err := s.SupporterCopies(t.Context(), supporter, "app-1")
	if p, _ := Problem(err, true); err == nil || p.Status != http.StatusServiceUnavailable || !IsUnchanged(err) {
		t.Fatalf("got %v (%+v), want 503 unchanged", err, p)
	}
}

// An application whose supporter has no emails yet lists none (an empty list, not nil).
func TestSupporterCopiesNone(t *testing.T) {
	s, db := supporterFixture(t)
	delete(db.emails, "app-1/p-sup")
	got, err := s.SupporterCopies(t.Context(), supporter, "app-1")
	if err != nil || got.Copies == nil || len(got.Copies) != 0 {
		t.Fatalf("got %+v, %v; want no copies", got, err)
	}
}

func TestSupporting(t *testing.T) {
	s, db := supporterFixture(t)
	db.apps["app-2"] = postgres.Application{ID: "app-2", TenantID: "north", ApplicantID: "p-app2", SupporterID: "p-sup2"}
	db.apps["app-3"] = postgres.Application{ID: "app-3", TenantID: "north", ApplicantID: "p-app2", SupporterID: "p-sup"}
	got, err := s.Supporting(t.Context(), supporter)
	if err != nil || len(got) != 2 {
		t.Fatalf("supporter's applications: %+v, %v; want app-1 and app-3", got, err)
	}
	for _, a := range got {
		if a.SupporterID != "p-sup" {
			t.Errorf("listed %s, supported by %s", a.ID, a.SupporterID)
		}
	}
	// A supporter who is also an admin still sees only the ones they support here.
	both := award.Person{ID: "p-sup", TenantID: "north", Roles: []string{award.RoleSupporter, award.RoleAdmin}}
	if got, _ := s.Supporting(t.Context(), both); len(got) != 2 {
		t.Errorf("admin and supporter: %d applications, want 2", len(got))
	}
	// Anyone without the role supports nothing (and the store is not asked with an empty filter).
	asked := len(db.filters)
	for _, me := range []award.Person{applicant, admin, {TenantID: "north", Roles: []string{award.RoleSupporter}}} {
		if got, err := s.Supporting(t.Context(), me); err != nil || got == nil || len(got) != 0 {
			t.Errorf("%s: %+v, %v; want an empty list", me.ID, got, err)
		}
	}
	if len(db.filters) != asked {
		t.Errorf("the store was asked for a non-supporter's list: %+v", db.filters[asked:])
	}
}
