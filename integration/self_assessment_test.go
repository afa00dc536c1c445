package integration

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// Nobody assesses or moderates an application they applied for or support (issue 10, part 3):
// a person who is both assessor and applicant registers and submits their own setting, with
// a supporter who is an assessor too, while every other assessor is inactive. Allocation
// offers it to neither and says why; hand allocation to them is refused, and so is the
// database reservation; an admin's on-behalf registration never makes a member of staff an
// applicant. Admins grant and remove the assessor and moderator roles (audited, admins only,
// not while work is held), and the second moderator takes the moderation when the first one
// assessed it.
func TestSelfAssessmentIsImpossible(t *testing.T) {
	tm := newAwardTeam(t, "selfshire", 3)
	ctx := t.Context()
	db := shared.DB
	person := func(key, name string, roles ...string) (string, *client) {
		p, err := db.UpsertPerson(ctx, postgres.Person{TenantID: tm.tenant, Name: name, Email: key + "@selfshire.example", Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		token := "test-selfshire-" + key
		if err := db.StoreToken(ctx, p.ID, "test", token); err != nil {
			t.Fatal(err)
		}
		return p.ID, as(t, shared, token)
	}
	dana, danaC := person("dana", "Dana Dual", postgres.RoleApplicant)
	sam, _ := person("sam", "Sam Supporter", postgres.RoleSupporter, postgres.RoleAssessor)
	ada, carl, mo := tm.ids["assessor"], tm.ids["other"], tm.ids["moderator"]
	roles := func(id string) string { return "/v1/roster/" + id + "/roles/" }

	// --- Admins grant roles: only admins, only assessor and moderator, only their own people.
	tm.assessor.must(403, "PUT", roles(dana)+"assessor", nil)
	tm.applicant.must(403, "DELETE", roles(ada)+"assessor", nil)
	as(t, shared, "demo-northshire-admin").must(404, "PUT", roles(dana)+"assessor", nil) // another authority's person
	tm.adm.must(404, "PUT", roles("p_nobody")+"assessor", nil)
	if p := tm.adm.must(422, "PUT", roles(dana)+"admin", nil).problem(t); !strings.Contains(fmt.Sprint(p["detail"]), "assessor and moderator") {
		t.Fatalf("granting admin: %v", p)
	}
	var granted struct {
		PersonID string   `json:"person_id"`
		Roles    []string `json:"roles"`
		Changed  bool     `json:"changed"`
	}
	tm.adm.must(200, "PUT", roles(dana)+"assessor", nil).json(t, &granted)
	if granted.PersonID != dana || !granted.Changed || !slices.Equal(granted.Roles, []string{"applicant", "assessor"}) {
		t.Fatalf("grant: %+v", granted)
	}
	tm.adm.must(200, "PUT", roles(dana)+"assessor", nil).json(t, &granted)
	if granted.Changed {
		t.Fatal("granting a role held already must change nothing")
	}
	tm.adm.must(200, "PUT", roles(dana)+"moderator", nil)
	tm.adm.must(200, "PUT", roles(ada)+"moderator", nil) // Ada assesses and moderates, like the demo's first moderator
	tm.adm.must(200, "PUT", "/v1/roster/"+dana, map[string]any{"tracks": []string{"caring_schools"}, "active": true})
	tm.adm.must(200, "PUT", "/v1/roster/"+sam, map[string]any{"tracks": []string{"caring_schools"}, "active": true})
	if n := auditCount(t, tm, "role_granted", dana, "assessor"); n != 1 {
		t.Fatalf("%d role_granted lines for dana's assessor role, want 1 (the repeat changed nothing)", n)
	}

	// --- Dana registers her own setting, supported by Sam, and submits it. The only active
	// assessors qualified for it are Dana and Sam.
	var app application
	danaC.must(201, "POST", "/v1/applications", map[string]any{"setting_reference": "SELF-1", "setting_name": "Dana's Nursery",
		"track": "caring_schools", "variant": "primary", "supporter_email": "sam@selfshire.example"}).json(t, &app)
	var fw award.Framework
	danaC.must(200, "GET", "/v1/applications/"+app.ID+"/framework", nil).json(t, &fw)
	var codes []string
	for _, s := range fw.StandardsFor(award.Bronze) {
		codes = append(codes, s.Code)
		danaC.uploadEvidence(app.ID, s.Code+".pdf", pdf(s.Code), s.Code)
	}
	for _, id := range []string{ada, carl} {
		tm.adm.must(200, "PUT", "/v1/roster/"+id, map[string]any{"active": false})
	}
	danaC.must(200, "POST", "/v1/applications/"+app.ID+"/submit", map[string]any{"target_level": "bronze"})

	// Allocation finds nobody and says why, first the parties' bar.
	var report struct {
		Allocation *award.Allocation `json:"allocation"`
	}
	eventually(t, "the first allocation", func() bool {
		tm.adm.must(200, "GET", "/v1/applications/"+app.ID+"/allocation", nil).json(t, &report)
		return report.Allocation != nil
	})
	want := map[string]string{dana: "is the applicant of this application", sam: "supports this setting", ada: "inactive", carl: "inactive"}
	got := map[string]string{}
	for _, e := range report.Allocation.Excluded {
		got[e.PersonID] = e.Reason
	}
	if report.Allocation.Chosen != "" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("allocation: chosen %q, excluded %v; want nobody, %v", report.Allocation.Chosen, got, want)
	}
	if a := tm.waitStage(t, app.ID, "awaiting_allocation"); !slices.Contains(a.Flags, "no_eligible_assessor") {
		t.Fatalf("flags %v", a.Flags)
	}
	// The database refuses the reservation too, whoever asks.
	row, err := db.Application(ctx, tm.tenant, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{dana, sam} {
		err := db.Reserve(ctx, postgres.Reservation{ID: app.ID + "/offer/test-" + id, TenantID: tm.tenant, ApplicationID: app.ID,
			SettingID: row.SettingID, PersonID: id, Role: postgres.RoleAssessor})
		if !errors.Is(err, postgres.ErrOwnApplication) {
			t.Fatalf("reserving %s: %v, want ErrOwnApplication", id, err)
		}
	}
	// The stuck list tells the admin what they can do about it.
	eventually(t, "the application on the stuck list", func() bool {
		return slices.ContainsFunc(stuckList(t, tm.adm).Stuck, func(e stuckEntry) bool {
			return e.ApplicationID == app.ID && e.Reason == "no_eligible_assessor" && strings.Contains(e.Unstick, "roster grant")
		})
	})

	// Hand allocation to the applicant or the supporter is refused with the reason.
	for id, why := range map[string]string{dana: "is the applicant of this application", sam: "supports this setting"} {
		p := tm.adm.must(422, "POST", "/v1/applications/"+app.ID+"/allocate", map[string]any{"assessor": id}).problem(t)
		if !strings.Contains(fmt.Sprint(p["detail"]), why) {
			t.Fatalf("allocating %s by hand: %v", id, p)
		}
	}
	tm.adm.must(200, "PUT", "/v1/roster/"+ada, map[string]any{"active": true})
	tm.adm.must(200, "POST", "/v1/applications/"+app.ID+"/allocate", map[string]any{"assessor": ada, "reason": "back from leave"})
	if a := tm.waitStage(t, app.ID, "offered"); a.Assessment.Offer.PersonID != ada {
		t.Fatalf("offered to %s, want ada", a.Assessment.Offer.PersonID)
	}

	// --- An on-behalf registration with a member of staff's address is refused, and adds no role.
	for _, email := range []string{"assessor@selfshire.example", "admin@selfshire.example", "MODERATOR@selfshire.example"} {
		p := tm.adm.must(409, "POST", "/v1/applications", map[string]any{"setting_reference": "SELF-STAFF", "setting_name": "Staff's own",
			"track": "caring_schools", "variant": "primary", "applicant_name": "Staff Member", "applicant_email": email}).problem(t)
		if p["type"] != "https://award.example/problems/staff-address" || !strings.Contains(fmt.Sprint(p["detail"]), "an applicant needs their own address") {
			t.Fatalf("on behalf of %s: %v", email, p)
		}
		staff, err := db.PersonByEmail(ctx, tm.tenant, email)
		if err != nil || staff.Has(postgres.RoleApplicant) {
			t.Fatalf("%s after the refusal: %+v %v", email, staff.Roles, err)
		}
	}

	// --- Ada assesses; she is the first moderator, and Dana a moderator too: Mo moderates.
	tm.assessor.must(200, "POST", "/v1/applications/"+app.ID+"/offer/accept", nil)
	tm.assessor.must(200, "POST", "/v1/applications/"+app.ID+"/assessment", map[string]any{
		"ratings": ratingsAll(codes, "bronze"), "feedback": "Well evidenced."})
	var a assessedApp
	eventually(t, "a moderator", func() bool {
		a = tm.get(t, app.ID)
		return a.Assessment != nil && a.Assessment.Moderation != nil && a.Assessment.Moderation.ModeratorID != ""
	})
	if a.Assessment.Moderation.ModeratorID != mo {
		t.Fatalf("moderated by %s, want mo (not the assessor ada, not the applicant dana)", a.Assessment.Moderation.ModeratorID)
	}

	// Roles are not removed from people holding work in them.
	for _, c := range []struct{ id, role, says string }{{ada, "assessor", "1 open assessment "}, {mo, "moderator", "1 open moderation "}} {
		p := tm.adm.must(409, "DELETE", roles(c.id)+c.role, nil).problem(t)
		if p["type"] != "https://award.example/problems/open-work" || !strings.Contains(fmt.Sprint(p["detail"]), c.says) {
			t.Fatalf("removing %s's %s role: %v", c.id, c.role, p)
		}
	}
	tm.moderator.must(200, "POST", "/v1/applications/"+app.ID+"/moderation", map[string]any{"decision": "confirm"})
	if a = tm.waitStage(t, app.ID, "awarded"); a.Assessment.Decision != "bronze" {
		t.Fatalf("decision %q", a.Assessment.Decision)
	}

	// With the work done, the role goes; it is audited, and removing it again changes nothing.
	var removed struct {
		Roles   []string `json:"roles"`
		Changed bool     `json:"changed"`
	}
	eventually(t, "ada's assessment closed", func() bool {
		r := tm.adm.do("DELETE", roles(ada)+"assessor", nil)
		if r.Status == 409 {
			return false
		}
		if r.Status != 200 {
			t.Fatalf("removing ada's assessor role: %d %s", r.Status, r.Body)
		}
		r.json(t, &removed)
		return true
	})
	if !removed.Changed || !slices.Equal(removed.Roles, []string{"moderator"}) {
		t.Fatalf("removed: %+v", removed)
	}
	tm.adm.must(200, "DELETE", roles(ada)+"assessor", nil).json(t, &removed)
	if removed.Changed {
		t.Fatal("removing a role not held must change nothing")
	}
	if n := auditCount(t, tm, "role_removed", ada, "assessor"); n != 1 {
		t.Fatalf("%d role_removed lines, want 1", n)
	}
}

// auditCount counts the tenant-wide audit lines of action for person and role, by the team's
// admin.
func auditCount(t *testing.T, tm *awardTeam, action, person, role string) int {
	t.Helper()
	var trail struct {
		Entries []struct {
			Actor  string         `json:"actor"`
			Action string         `json:"action"`
			Detail map[string]any `json:"detail"`
		} `json:"entries"`
	}
	tm.adm.must(200, "GET", "/v1/admin/audit", nil).json(t, &trail)
	n := 0
	for _, e := range trail.Entries {
		if e.Action == action && e.Detail["person"] == person && e.Detail["role"] == role {
			if e.Actor != tm.ids["admin"] {
				t.Fatalf("%s by %q, want the admin", action, e.Actor)
			}
			n++
		}
	}
	return n
}
