package integration

import (
	"slices"
	"strings"
	"testing"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// TestTenantSettingsThroughTheAPI: a tenant's admin reads its settings (the defaults until
// changed), a change refused names every field at fault and saves nothing, a good change is
// saved with one audit line naming each value before and after, registrations read the new
// timings, the header name and email templates change; other roles are refused and another
// tenant's admin sees only their own.
func TestTenantSettingsThroughTheAPI(t *testing.T) {
	ctx := t.Context()
	db := shared.DB
	sfx := strings.TrimPrefix(postgres.NewID("s"), "s_")[:8]
	tenant := "set" + sfx
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: tenant, Name: "Settingshire " + sfx, SenderEmail: "awards@" + tenant + ".example",
		SenderName: "Settingshire awards", ReplyTo: "team@" + tenant + ".example"}); err != nil {
		t.Fatal(err)
	}
	client := func(key string, roles ...string) (*client, string) {
		p, err := db.UpsertPerson(ctx, postgres.Person{TenantID: tenant, Name: key, Email: key + "@" + tenant + ".example", Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		token := "tok-" + tenant + "-" + key
		if err := db.StoreToken(ctx, p.ID, "test", token); err != nil {
			t.Fatal(err)
		}
		return as(t, shared, token), p.ID
	}
	admin, adminID := client("admin", postgres.RoleAdmin)
	assessor, _ := client("assessor", postgres.RoleAssessor)

	var v structs.TenantSettings
	admin.must(200, "GET", "/v1/admin/settings", nil).json(t, &v)
	if v.Name != "Settingshire "+sfx || v.ToolkitNudgeDays != 14 || v.InactivityNudgeAfterDays != 56 || v.DormantAfterDays != 183 ||
		!slices.Equal(v.FirstYearReminderMonths, []int{6, 9, 11}) || v.AwardValidDays != 0 || !v.DefaultTimings || len(v.EmailTemplates) != 0 {
		t.Fatalf("defaults: %+v", v)
	}

	// Refused: every field at fault named, nothing saved.
	zero, bad := 0, "d-nope"
	p := admin.must(422, "PUT", "/v1/admin/settings", map[string]any{"toolkit_nudge_days": zero, "dormant_after_days": 30,
		"email_templates": map[string]string{"welcome": bad, "no_such_email": "d-0123456789abcdef0123456789abcdef"}}).problem(t)
	var fields []string
	for _, e := range p["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	slices.Sort(fields)
	if want := []string{"dormant_after_days", "email_templates.no_such_email", "email_templates.welcome", "toolkit_nudge_days"}; !slices.Equal(fields, want) {
		t.Fatalf("refused fields %v, want %v (%v)", fields, want, p)
	}
	admin.must(400, "PUT", "/v1/admin/settings", map[string]any{"toolkit_nudge": 3})
	if st, _ := db.TenantSettings(ctx, tenant, award.DefaultSettings()); st.ToolkitNudgeAfter != 14*award.Day {
		t.Fatalf("saved while refused: %v", st.ToolkitNudgeAfter)
	}

	// A good change.
	admin.must(200, "PUT", "/v1/admin/settings", map[string]any{"name": "Settingshire County Council", "toolkit_nudge_days": 21,
		"reassessment_reminder_months": []int{3, 12}, "email_templates": map[string]string{"welcome": "d-0123456789abcdef0123456789abcdef"},
		"offer_workdays": 3, "resubmit_months": 4}).json(t, &v)
	if v.Name != "Settingshire County Council" || v.ToolkitNudgeDays != 21 || !slices.Equal(v.ReassessmentReminderMonths, []int{12, 3}) ||
		v.DefaultTimings || v.EmailTemplates["welcome"] != "d-0123456789abcdef0123456789abcdef" || len(v.Changes) != 6 ||
		v.OfferWorkdays != 3 || v.ResubmitMonths != 4 || v.AssessmentWorkdays != 20 {
		t.Fatalf("changed: %+v", v)
	}
	st, err := db.TenantSettings(ctx, tenant, award.DefaultSettings())
	if err != nil || st.ToolkitNudgeAfter != 21*award.Day || st.InactivityNudgeAfter != 8*award.Week || !slices.Equal(st.ReassessmentReminderMonths, []int{12, 3}) ||
		st.Deadlines().OfferWorkdays != 3 || st.Deadlines().ResubmitMonths != 4 {
		t.Fatalf("registrations read %+v %v", st, err)
	}
	tn, err := db.Tenant(ctx, tenant)
	if err != nil || tn.Name != "Settingshire County Council" || tn.EmailTemplates["welcome"] != "d-0123456789abcdef0123456789abcdef" {
		t.Fatalf("tenant %+v %v", tn, err)
	}
	lines, err := db.AuditLog(ctx, postgres.AuditFilter{TenantID: tenant})
	if err != nil || len(lines) != 1 || lines[0].Action != "settings_changed" || lines[0].Actor != adminID || lines[0].ApplicationID != "" {
		t.Fatalf("audit %+v %v", lines, err)
	}
	changes, _ := lines[0].Detail["changes"].([]any)
	found := false
	for _, c := range changes {
		m := c.(map[string]any)
		if m["field"] == "toolkit_nudge_days" && m["before"] == "14 days" && m["after"] == "21 days" {
			found = true
		}
	}
	if !found || len(changes) != 6 {
		t.Fatalf("audit changes %v", changes)
	}

	// The same again: nothing changes, nothing more is audited.
	var again structs.TenantSettings
	admin.must(200, "PUT", "/v1/admin/settings", map[string]any{"toolkit_nudge_days": 21}).json(t, &again)
	if len(again.Changes) != 0 || again.ToolkitNudgeDays != 21 {
		t.Fatalf("a repeat changed %v", again.Changes)
	}
	if lines, _ := db.AuditLog(ctx, postgres.AuditFilter{TenantID: tenant}); len(lines) != 1 {
		t.Fatalf("a repeat was audited: %d lines", len(lines))
	}

	// Others.
	assessor.must(403, "GET", "/v1/admin/settings", nil)
	assessor.must(403, "PUT", "/v1/admin/settings", map[string]any{"name": "Mine now"})
	var north structs.TenantSettings
	as(t, shared, "demo-northshire-admin").must(200, "GET", "/v1/admin/settings", nil).json(t, &north)
	if north.Name == v.Name {
		t.Fatalf("another tenant's admin sees %q", north.Name)
	}

	// One person and one roster entry (the people pages' reads).
	var person structs.PersonView
	admin.must(200, "GET", "/v1/people/"+adminID, nil).json(t, &person)
	if person.ID != adminID || !person.Active {
		t.Fatalf("person %+v", person)
	}
	as(t, shared, "demo-northshire-admin").must(404, "GET", "/v1/people/"+adminID, nil)
	admin.must(404, "GET", "/v1/roster/"+adminID, nil) // an admin only: not on the roster
}
