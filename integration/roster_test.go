package integration

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// rosterPerson adds a new person to a tenant's roster, so that these tests never change the
// demo assessors other tests allocate to, and can run again on the same stack.
func rosterPerson(t *testing.T, tenant, key string, roles ...string) string {
	t.Helper()
	key += "-" + postgres.NewID("r")
	p, err := shared.DB.UpsertPerson(t.Context(), postgres.Person{TenantID: tenant, Name: "Roster " + key,
		Email: "roster-" + key + "@" + tenant + ".example", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// rosterEntry reads one person's entry through the admin API.
func rosterEntry(t *testing.T, admin *client, personID string) (postgres.AssessorProfile, bool) {
	t.Helper()
	var list struct{ Assessors []postgres.AssessorProfile }
	admin.must(200, "GET", "/v1/roster", nil).json(t, &list)
	for _, p := range list.Assessors {
		if p.PersonID == personID {
			return p, true
		}
	}
	return postgres.AssessorProfile{}, false
}

func TestRosterManagedThroughTheAPI(t *testing.T) {
	admin := as(t, shared, "demo-northshire-admin")
	person := rosterPerson(t, "northshire", "api", postgres.RoleAssessor)
	path := "/v1/roster/" + person
	eastmerePerson := rosterPerson(t, "eastmere", "api", postgres.RoleAssessor)
	ref := "URN-ROSTER-" + postgres.NewID("api")
	appID := registered(t, as(t, shared, "demo-northshire-applicant"), ref)
	app, err := shared.DB.Application(t.Context(), "northshire", appID)
	if err != nil {
		t.Fatal(err)
	}

	// On the roster by role alone, with the defaults.
	p, ok := rosterEntry(t, admin, person)
	if !ok || p.Capacity != award.DefaultAssessorCapacity || !p.Active || len(p.Tracks) != 0 {
		t.Fatalf("a new assessor: %+v (listed %v)", p, ok)
	}

	admin.must(200, "PUT", path, map[string]any{"tracks": []string{"learning_homes", "caring_schools"},
		"specialisms": []string{"early_years"}, "capacity": 4, "active": true}).json(t, &p)
	if !slices.Equal(p.Tracks, []award.Track{award.CaringSchools, award.LearningHomes}) ||
		!slices.Equal(p.Specialisms, []award.Specialism{award.EarlyYears}) || p.Capacity != 4 || !p.Active {
		t.Fatalf("after PUT: %+v", p)
	}
	// Fields left out keep their value.
	admin.must(200, "PUT", path, map[string]any{"capacity": 2, "active": false}).json(t, &p)
	if len(p.Tracks) != 2 || p.Capacity != 2 || p.Active {
		t.Fatalf("after a partial PUT: %+v", p)
	}

	admin.must(201, "POST", path+"/conflicts", map[string]any{"setting_reference": ref, "reason": "my nephew attends"}).json(t, &p)
	if len(p.Conflicts) != 1 || p.Conflicts[0].SettingID != app.SettingID || p.Conflicts[0].Reason != "my nephew attends" {
		t.Fatalf("after declaring a conflict: %+v", p.Conflicts)
	}
	cands, err := shared.DB.Candidates(t.Context(), "northshire", app.SettingID)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cands, func(c award.Candidate) bool { return c.PersonID == person })
	if i < 0 || cands[i].Conflict != "my nephew attends" || cands[i].Active || cands[i].Capacity != 2 {
		t.Fatalf("allocation does not see the conflict: %+v", cands)
	}

	before := string(admin.must(200, "GET", "/v1/roster", nil).Body)
	refused := []struct {
		name, token, method, path string
		body                      any
		status                    int
		field                     string
	}{
		{"assessor lists", "demo-northshire-assessor", "GET", "/v1/roster", nil, 403, ""},
		{"moderator sets", "demo-northshire-moderator", "PUT", path, map[string]any{"capacity": 9}, 403, ""},
		{"applicant declares", "demo-northshire-applicant", "POST", path + "/conflicts", map[string]any{"setting_reference": ref, "reason": "x"}, 403, ""},
		{"assessor withdraws", "demo-northshire-assessor", "DELETE", path + "/conflicts/" + ref, nil, 403, ""},
		{"other tenant sets", "demo-eastmere-admin", "PUT", path, map[string]any{"capacity": 9}, 404, ""},
		{"other tenant declares", "demo-eastmere-admin", "POST", path + "/conflicts", map[string]any{"setting_reference": ref, "reason": "x"}, 404, ""},
		{"other tenant withdraws", "demo-eastmere-admin", "DELETE", path + "/conflicts/" + app.SettingID, nil, 404, ""},
		{"other tenant's setting", "demo-eastmere-admin", "POST", "/v1/roster/" + eastmerePerson + "/conflicts", map[string]any{"setting_id": app.SettingID, "reason": "x"}, 404, ""},
		{"unknown track", "", "PUT", path, map[string]any{"tracks": []string{"caring"}}, 422, "tracks"},
		{"unknown specialism", "", "PUT", path, map[string]any{"specialisms": []string{"secondary"}}, 422, "specialisms"},
		{"negative capacity", "", "PUT", path, map[string]any{"capacity": -1}, 422, "capacity"},
		{"unknown field", "", "PUT", path, `{"capacity":3,"colour":"red"}`, 400, ""},
		{"capacity not a number", "", "PUT", path, `{"capacity":"3"}`, 400, ""},
		{"not an assessor", "", "PUT", "/v1/roster/p_northshire_applicant", map[string]any{"capacity": 3}, 422, "person"},
		{"unknown person", "", "PUT", "/v1/roster/p_nobody", map[string]any{"capacity": 3}, 404, ""},
		{"conflict without reason", "", "POST", path + "/conflicts", map[string]any{"setting_reference": ref, "reason": " "}, 422, "reason"},
		{"conflict with unknown setting", "", "POST", path + "/conflicts", map[string]any{"setting_reference": "URN-NOWHERE", "reason": "x"}, 404, ""},
		{"withdraw an undeclared conflict", "", "DELETE", "/v1/roster/p_northshire_assessor/conflicts/" + ref, nil, 404, ""},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			who := admin
			if c.token != "" {
				who = as(t, shared, c.token)
			}
			r := who.do(c.method, c.path, c.body)
			if r.Status != c.status {
				t.Fatalf("want %d, got %d: %s", c.status, r.Status, r.Body)
			}
			prob := r.problem(t)
			if c.field != "" && !containsField(prob, c.field) {
				t.Errorf("the problem does not name %q: %s", c.field, r.Body)
			}
			if after := string(admin.must(200, "GET", "/v1/roster", nil).Body); after != before {
				t.Errorf("a refused request changed the roster:\n%s\n%s", before, after)
			}
		})
	}

	// The other tenant's admin does not see this tenant's people.
	if _, seen := rosterEntry(t, as(t, shared, "demo-eastmere-admin"), person); seen {
		t.Error("eastmere's admin sees a northshire assessor")
	}

	admin.must(204, "DELETE", path+"/conflicts/"+ref, nil)
	if p, _ = rosterEntry(t, admin, person); len(p.Conflicts) != 0 {
		t.Fatalf("after withdrawing: %+v", p.Conflicts)
	}
	admin.must(404, "DELETE", path+"/conflicts/"+ref, nil)
}

func containsField(prob map[string]any, field string) bool {
	errs, _ := prob["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["field"] == field {
			return true
		}
	}
	return false
}

func TestRosterCapacityHoldsUnderConcurrency(t *testing.T) {
	ctx := t.Context()
	db := shared.DB
	person := rosterPerson(t, "northshire", "busy", postgres.RoleAssessor)
	if _, err := db.UpsertAssessor(ctx, "northshire", postgres.AssessorProfile{PersonID: person,
		Tracks: []award.Track{award.CaringSchools}, Capacity: 3, Active: true}); err != nil {
		t.Fatal(err)
	}
	applicant := as(t, shared, "demo-northshire-applicant")
	apps := make([]postgres.Application, 20)
	for i := range apps {
		a, err := db.Application(ctx, "northshire", registered(t, applicant, fmt.Sprintf("URN-ROSTER-%s-%02d", person, i)))
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = a
	}
	reservation := func(i int) postgres.Reservation {
		return postgres.Reservation{ID: apps[i].ID + "/offer/1", TenantID: "northshire", ApplicationID: apps[i].ID,
			SettingID: apps[i].SettingID, PersonID: person, Role: postgres.RoleAssessor}
	}

	// Twenty allocations at the same moment, each on a connection of its own (the shared
	// handle's pool is small enough to serialise them by accident): the row lock lets exactly
	// three through.
	wide := widePool(t, len(apps))
	start := make(chan struct{})
	errs := make([]error, len(apps))
	var wg sync.WaitGroup
	for i := range apps {
		wg.Go(func() {
			<-start
			errs[i] = wide.Reserve(ctx, reservation(i))
		})
	}
	close(start)
	wg.Wait()
	var won []int
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, i)
		case !errors.Is(err, postgres.ErrAtCapacity):
			t.Fatalf("reservation %d: %v", i, err)
		}
	}
	if len(won) != 3 {
		t.Fatalf("%d reservations succeeded, want 3", len(won))
	}
	if p := assessor(t, person); p.Open != 3 || p.LastAllocatedAt == nil {
		t.Fatalf("roster after the rush: open %d, last allocated %v", p.Open, p.LastAllocatedAt)
	}

	// A retried reservation is idempotent, even at capacity; a new one is refused.
	if err := db.Reserve(ctx, reservation(won[0])); err != nil {
		t.Fatalf("repeating a reservation: %v", err)
	}
	var losers []int
	for i, err := range errs {
		if err != nil {
			losers = append(losers, i)
		}
	}
	lost := losers[0]
	if err := db.Reserve(ctx, reservation(lost)); !errors.Is(err, postgres.ErrAtCapacity) {
		t.Fatalf("a fourth reservation: %v", err)
	}
	if p := assessor(t, person); p.Open != 3 {
		t.Fatalf("open %d after the retry, want 3", p.Open)
	}

	// Closing an offer frees a place; completed work counts for moderation and the next cycle.
	first, second := reservation(won[0]).ID, reservation(won[1]).ID
	for _, step := range []struct{ id, state string }{{first, "declined"}, {first, "declined"}, {second, "accepted"}, {second, "completed"}} {
		if err := db.SetAssignment(ctx, "northshire", step.id, step.state, "test"); err != nil {
			t.Fatalf("%s → %s: %v", step.id, step.state, err)
		}
	}
	if err := db.SetAssignment(ctx, "northshire", second, "accepted", ""); !errors.Is(err, postgres.ErrBadTransition) {
		t.Fatalf("completed → accepted: %v", err)
	}
	if err := db.SetAssignment(ctx, "eastmere", second, "released", ""); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("another tenant's assignment: %v", err)
	}
	if p := assessor(t, person); p.Open != 1 {
		t.Fatalf("open %d after a decline and a completion, want 1", p.Open)
	}
	if err := db.Reserve(ctx, reservation(lost)); err != nil {
		t.Fatalf("a reservation with room again: %v", err)
	}
	if n, err := db.CompletedAssessments(ctx, "northshire", person); err != nil || n != 1 {
		t.Fatalf("completed assessments: %d %v", n, err)
	}
	prev, err := db.PreviousAssessor(ctx, "northshire", apps[won[1]].SettingID, "app_next_cycle")
	if err != nil || prev != person {
		t.Fatalf("previous assessor: %q %v", prev, err)
	}
	if prev, _ := db.PreviousAssessor(ctx, "northshire", apps[won[1]].SettingID, apps[won[1]].ID); prev != "" {
		t.Fatalf("an application is not its own previous cycle: %q", prev)
	}
	inbox, err := db.Assignments(ctx, "northshire", person)
	if err != nil || len(inbox) != 4 {
		t.Fatalf("inbox: %d items, %v", len(inbox), err)
	}

	// Inactive people get nothing; moderators are not capacity-limited.
	if _, err := db.UpsertAssessor(ctx, "northshire", postgres.AssessorProfile{PersonID: person, Capacity: 3}); err != nil {
		t.Fatal(err)
	}
	if err := db.Reserve(ctx, reservation(losers[1])); !errors.Is(err, postgres.ErrInactive) {
		t.Fatalf("reserving an inactive assessor: %v", err)
	}
	moderator := rosterPerson(t, "northshire", "moderator", postgres.RoleModerator)
	if _, err := db.UpsertAssessor(ctx, "northshire", postgres.AssessorProfile{PersonID: moderator, Capacity: 0, Active: true}); err != nil {
		t.Fatal(err)
	}
	for _, i := range won[:2] {
		r := reservation(i)
		r.ID, r.PersonID, r.Role = apps[i].ID+"/moderation/1", moderator, postgres.RoleModerator
		if err := db.Reserve(ctx, r); err != nil {
			t.Fatalf("moderation %d: %v", i, err)
		}
	}
	mods, err := db.Moderators(ctx, "northshire")
	i := slices.IndexFunc(mods, func(c award.Candidate) bool { return c.PersonID == moderator })
	if err != nil || i < 0 || mods[i].Open != 2 {
		t.Fatalf("moderators: %+v %v", mods, err)
	}
	if other, err := db.ApplicationAssignments(ctx, "eastmere", apps[won[0]].ID); err != nil || len(other) != 0 {
		t.Fatalf("another tenant sees %d assignments (%v)", len(other), err)
	}
	if all, _ := db.ApplicationAssignments(ctx, "northshire", apps[won[0]].ID); len(all) != 2 {
		t.Fatalf("application %s has %d assignments, want its offer and its moderation", apps[won[0]].ID, len(all))
	}
}

func assessor(t *testing.T, personID string) postgres.AssessorProfile {
	t.Helper()
	p, err := shared.DB.Assessor(context.WithoutCancel(t.Context()), "northshire", personID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// widePool opens another handle on the stack's database with n connections, all open.
func widePool(t *testing.T, n int) *postgres.DB {
	t.Helper()
	dsn := shared.DB.Pool().Config().ConnString()
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := postgres.Open(t.Context(), fmt.Sprintf("%s%spool_max_conns=%d", dsn, sep, n))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	var conns []*pgxpool.Conn
	for range n {
		c, err := db.Pool().Acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	return db
}
