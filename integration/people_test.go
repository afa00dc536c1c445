package integration

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// problemIs says whether a problem document is of the short kind (its type URI ends with it).
func problemIs(p map[string]any, kind string) bool {
	s, _ := p["type"].(string)
	return strings.HasSuffix(s, "/"+kind)
}

// signInMails counts the sign-in link emails (invitations included) sent to an address.
func signInMails(addr string) int {
	n := 0
	for _, m := range mailTo(shared, addr) {
		if strings.Contains(m.Subject, "sign in") {
			n++
		}
	}
	return n
}

// auditFor returns the tenant's audit lines about a person (detail.person), oldest first.
func auditFor(t *testing.T, tenant, personID string) []postgres.AuditLine {
	t.Helper()
	lines, err := shared.DB.AuditLog(t.Context(), postgres.AuditFilter{TenantID: tenant})
	if err != nil {
		t.Fatal(err)
	}
	var out []postgres.AuditLine
	for _, l := range lines {
		if l.Detail["person"] == personID {
			out = append(out, l)
		}
	}
	return out
}

func TestPeopleInvitedRolesChangedDeactivatedAndReactivated(t *testing.T) {
	admin := as(t, shared, "demo-northshire-admin")
	addr := "invitee-" + postgres.NewID("x") + "@northshire.example"

	// Invited: created with the roles asked for, and emailed a sign-in link.
	var p structs.PersonView
	admin.must(201, "POST", "/v1/people", structs.InviteRequest{Name: "Ira Invitee", Email: addr, Roles: []string{"assessor"}}).json(t, &p)
	if p.ID == "" || p.Email != addr || !slices.Equal(p.Roles, []string{"assessor"}) || !p.Active || p.Invitation != "sent" {
		t.Fatalf("invited: %+v", p)
	}
	eventually(t, "the invitation email", func() bool { return signInMails(addr) == 1 })

	// The same address again: refused, naming what to do instead.
	prob := admin.must(409, "POST", "/v1/people", structs.InviteRequest{Name: "Ira", Email: addr, Roles: []string{"moderator"}}).problem(t)
	if !problemIs(prob, "already-member") {
		t.Fatalf("re-invite: %v", prob)
	}

	// Listed, and found by a part of the address.
	var list structs.PeopleList
	admin.must(200, "GET", "/v1/people?q="+url.QueryEscape(addr[:20]), nil).json(t, &list)
	if len(list.People) != 1 || list.People[0].ID != p.ID {
		t.Fatalf("search: %+v", list)
	}

	// Roles changed, audited with before and after.
	var changed structs.PersonView
	admin.must(200, "PUT", "/v1/people/"+p.ID+"/roles", structs.RolesRequest{Roles: []string{"moderator", "assessor"}}).json(t, &changed)
	if !changed.Changed || !slices.Equal(changed.Roles, []string{"assessor", "moderator"}) {
		t.Fatalf("roles: %+v", changed)
	}
	admin.must(200, "PUT", "/v1/people/"+p.ID+"/roles", structs.RolesRequest{Roles: []string{"assessor", "moderator"}}).json(t, &changed)
	if changed.Changed {
		t.Fatal("setting the same roles again changed something")
	}
	admin.must(422, "PUT", "/v1/people/"+p.ID+"/roles", structs.RolesRequest{Roles: []string{"root"}})

	// A token of the person works, stops at once on deactivation, and works again on reactivation.
	token, err := shared.DB.IssueToken(t.Context(), p.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	person := as(t, shared, token)
	person.must(200, "GET", "/v1/me", nil)
	var off structs.PersonView
	admin.must(200, "POST", "/v1/people/"+p.ID+"/deactivate", nil).json(t, &off)
	if off.Active || !off.Changed {
		t.Fatalf("deactivated: %+v", off)
	}
	person.must(401, "GET", "/v1/me", nil)
	admin.must(200, "GET", "/v1/people?active=false&q="+url.QueryEscape(addr), nil).json(t, &list)
	if len(list.People) != 1 || list.People[0].Active {
		t.Fatalf("deactivated list: %+v", list)
	}
	admin.must(200, "POST", "/v1/people/"+p.ID+"/reactivate", nil)
	person.must(200, "GET", "/v1/me", nil)

	var actions []string
	for _, l := range auditFor(t, "northshire", p.ID) {
		if l.Actor != "p_northshire_admin" {
			t.Errorf("audit line by %q", l.Actor)
		}
		actions = append(actions, l.Action)
	}
	if want := []string{"person_invited", "roles_changed", "person_deactivated", "person_reactivated"}; !slices.Equal(actions, want) {
		t.Fatalf("audit %v, want %v", actions, want)
	}
	lines := auditFor(t, "northshire", p.ID)
	before, _ := lines[1].Detail["before"].(map[string]any)
	after, _ := lines[1].Detail["after"].(map[string]any)
	if before == nil || after == nil || len(before["roles"].([]any)) != 1 || len(after["roles"].([]any)) != 2 {
		t.Fatalf("roles_changed detail: %v", lines[1].Detail)
	}
}

func TestPeopleAdminsOnlyOwnTenantOnly(t *testing.T) {
	applicant := as(t, shared, "demo-northshire-applicant")
	applicant.must(403, "GET", "/v1/people", nil)
	applicant.must(403, "POST", "/v1/people", structs.InviteRequest{Name: "X", Email: "x-" + postgres.NewID("x") + "@northshire.example", Roles: []string{"admin"}})
	applicant.must(403, "POST", "/v1/people/p_northshire_applicant2/deactivate", nil)

	// Another tenant's admin: the person is not found, and nothing changes.
	other := as(t, shared, "demo-eastmere-admin")
	other.must(404, "PUT", "/v1/people/p_northshire_assessor/roles", structs.RolesRequest{Roles: []string{"applicant"}})
	other.must(404, "POST", "/v1/people/p_northshire_assessor/deactivate", nil)
	var list structs.PeopleList
	other.must(200, "GET", "/v1/people?q=northshire", nil).json(t, &list)
	if len(list.People) != 0 {
		t.Fatalf("eastmere sees northshire's people: %+v", list)
	}
	as(t, shared, "demo-northshire-assessor").must(200, "GET", "/v1/me", nil)

	// Hostile input: control characters and a display-name address.
	admin := as(t, shared, "demo-northshire-admin")
	admin.must(422, "POST", "/v1/people", structs.InviteRequest{Name: "X", Email: "X <x@northshire.example>", Roles: []string{"applicant"}})
	admin.must(404, "PUT", "/v1/people/p_nobody/roles", structs.RolesRequest{Roles: []string{"applicant"}})
}

func TestTheLastActiveAdminKeepsTheAdminRole(t *testing.T) {
	tenant := "t-" + postgres.NewID("lastadmin")
	if err := shared.DB.UpsertTenant(t.Context(), postgres.Tenant{ID: tenant, Name: "Last Admin Council",
		SenderEmail: "awards@" + tenant + ".example", SenderName: "Awards", ReplyTo: "awards@" + tenant + ".example"}); err != nil {
		t.Fatal(err)
	}
	a, err := shared.DB.UpsertPerson(t.Context(), postgres.Person{TenantID: tenant, Name: "Only Admin", Email: "admin@" + tenant + ".example", Roles: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	token, err := shared.DB.IssueToken(t.Context(), a.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	admin := as(t, shared, token)
	prob := admin.must(409, "PUT", "/v1/people/"+a.ID+"/roles", structs.RolesRequest{Roles: []string{"assessor"}}).problem(t)
	if !problemIs(prob, "last-admin") {
		t.Fatalf("%v", prob)
	}
	admin.must(409, "POST", "/v1/people/"+a.ID+"/deactivate", nil)

	// With a second admin, the first may step down.
	var second structs.PersonView
	admin.must(201, "POST", "/v1/people", structs.InviteRequest{Name: "Second Admin", Email: "second@" + tenant + ".example", Roles: []string{"admin"}}).json(t, &second)
	admin.must(200, "PUT", "/v1/people/"+a.ID+"/roles", structs.RolesRequest{Roles: []string{"admin", "assessor"}})
	admin.must(200, "PUT", "/v1/people/"+a.ID+"/roles", structs.RolesRequest{Roles: []string{"assessor"}})
	admin.must(403, "GET", "/v1/people", nil) // no longer an admin, at once
}

func TestRegisteringOnSomeonesBehalfInvitesTheApplicant(t *testing.T) {
	admin := as(t, shared, "demo-northshire-admin")
	key := postgres.NewID("k")
	addr := "behalf-" + key + "@home.example"
	r := admin.do("POST", "/v1/applications", structs.RegisterRequest{SettingReference: "URN-BEHALF-" + key, SettingName: "Behalf Primary",
		Track: "caring_schools", Variant: "primary", ApplicantName: "Bea Half", ApplicantEmail: addr})
	if r.Status != 201 && r.Status != 202 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	// The new applicant can get in: an email with a sign-in link.
	eventually(t, "the applicant's invitation", func() bool { return signInMails(addr) == 1 })
	var list structs.PeopleList
	admin.must(200, "GET", "/v1/people?q="+url.QueryEscape(addr), nil).json(t, &list)
	if len(list.People) != 1 || !slices.Equal(list.People[0].Roles, []string{"applicant"}) || !list.People[0].Active {
		t.Fatalf("%+v", list)
	}
	if acts := auditFor(t, "northshire", list.People[0].ID); len(acts) != 1 || acts[0].Action != "person_invited" {
		t.Fatalf("audit %+v", acts)
	}

	// An existing applicant is not invited again; a member of staff's address is refused.
	r = admin.do("POST", "/v1/applications", structs.RegisterRequest{SettingReference: "URN-BEHALF2-" + key, SettingName: "Behalf Two",
		Track: "caring_schools", Variant: "primary", ApplicantName: "Bea Half", ApplicantEmail: addr})
	if r.Status != 201 && r.Status != 202 {
		t.Fatalf("register again: %d %s", r.Status, r.Body)
	}
	prob := admin.must(409, "POST", "/v1/applications", structs.RegisterRequest{SettingReference: "URN-BEHALF3-" + key, SettingName: "Staff",
		Track: "caring_schools", Variant: "primary", ApplicantName: "Priya", ApplicantEmail: "assessor@northshire.example"}).problem(t)
	if !problemIs(prob, "staff-address") {
		t.Fatalf("%v", prob)
	}
	if signInMails(addr) != 1 {
		t.Fatal("an existing applicant was invited again")
	}
}

func TestPeopleWithOpenWorkKeepTheirRoleAndStayActive(t *testing.T) {
	tm := newAwardTeam(t, "t-"+postgres.NewID("openwork"), 3)
	appID, _ := tm.portfolio(t, "URN-OPEN-1", "Open Work Primary", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	holder := tm.waitStage(t, appID, "offered").Assessment.Offer.PersonID

	// The offer is open work: the assessor role stays, and the person stays active.
	p := tm.adm.must(409, "PUT", "/v1/people/"+holder+"/roles", structs.RolesRequest{Roles: []string{"moderator"}}).problem(t)
	if !problemIs(p, "open-work") || !strings.Contains(fmt.Sprint(p["detail"]), "1 open assessment") {
		t.Fatalf("roles: %v", p)
	}
	if p := tm.adm.must(409, "POST", "/v1/people/"+holder+"/deactivate", nil).problem(t); !problemIs(p, "open-work") {
		t.Fatalf("deactivate: %v", p)
	}
	// Adding a role is not removing one: allowed while the work is held.
	var v structs.PersonView
	tm.adm.must(200, "PUT", "/v1/people/"+holder+"/roles", structs.RolesRequest{Roles: []string{"assessor", "moderator"}}).json(t, &v)
	if !v.Changed || !v.Active {
		t.Fatalf("%+v", v)
	}
	// Nothing was written by the refusals.
	var actions []string
	for _, l := range auditFor(t, tm.tenant, holder) {
		actions = append(actions, l.Action)
	}
	if !slices.Equal(actions, []string{"roles_changed"}) {
		t.Fatalf("audit %v", actions)
	}
}
