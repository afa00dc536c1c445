package integration

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"mime"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/starter/api"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// reportTenant is a tenant of its own, seeded row by row with SQL so that every figure of its
// 2025 report is known exactly.
type reportTenant struct {
	id               string
	admin, applicant *client
	people           map[string]string // key → person id
	apps             map[string]string // key → application id
	refs             map[string]string // key → setting reference
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func seedReportTenant(t *testing.T) *reportTenant {
	t.Helper()
	ctx := t.Context()
	db := shared.DB
	sfx := strings.TrimPrefix(postgres.NewID("r"), "r_")[:8]
	rt := &reportTenant{id: "rpt" + sfx, people: map[string]string{}, apps: map[string]string{}, refs: map[string]string{}}
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: rt.id, Name: "Reportshire " + sfx, SenderEmail: "awards@" + rt.id + ".example",
		SenderName: "Reportshire awards", ReplyTo: "team@" + rt.id + ".example"}); err != nil {
		t.Fatal(err)
	}
	person := func(key, name string, roles ...string) {
		p, err := db.UpsertPerson(ctx, postgres.Person{TenantID: rt.id, Name: name, Email: key + "@" + rt.id + ".example", Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		rt.people[key] = p.ID
	}
	person("rita", "Rita Reports", postgres.RoleApplicant)
	person("sam", "Sam Supporter", postgres.RoleSupporter)
	person("ada", "Ada Assessor", postgres.RoleAssessor)
	person("ben", "Ben Assessor", postgres.RoleAssessor)
	person("mo", "Mo Moderator", postgres.RoleModerator)
	person("admin", "Alex Admin", postgres.RoleAdmin)
	for _, key := range []string{"admin", "rita"} {
		token := "test-" + rt.id + "-" + key
		if err := db.StoreToken(ctx, rt.people[key], "test", token); err != nil {
			t.Fatal(err)
		}
		if key == "admin" {
			rt.admin = as(t, shared, token)
		} else {
			rt.applicant = as(t, shared, token)
		}
	}

	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Pool().Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// Settings: one per key, named "<Name> <sfx>" with reference "<SFX>-<key>".
	setting := func(key, name, track string, supporter bool) string {
		id := "set_" + rt.id + "_" + key
		rt.refs[key] = strings.ToUpper(sfx) + "-" + key
		var sup any
		if supporter {
			sup = rt.people["sam"]
		}
		exec(`INSERT INTO settings (id, tenant_id, reference, name, track, variant, applicant_id, supporter_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
			id, rt.id, rt.refs[key], name+" "+sfx, track, map[string]string{"caring_schools": "primary", "learning_homes": "mainstream_foster"}[track],
			rt.people["rita"], sup)
		return id
	}
	type appRow struct {
		key, setting, track, stage string
		active                     bool
		level                      string // level_awarded
		decided, closed            string
		reassesses, previousLevel  string
		created                    string
	}
	settingIDs := map[string]string{}
	for _, s := range []struct {
		key, name, track string
		supporter        bool
	}{
		{"s1", "Alder Primary", "caring_schools", false}, {"s2", "Birch Academy", "caring_schools", false},
		{"s3", "Cedar Household", "learning_homes", false}, {"s4", "Damson Infants", "caring_schools", false},
		{"s5", "Elm Juniors", "caring_schools", false}, {"s6", "Fir Primary", "caring_schools", false},
		{"s7", "Gorse Primary", "caring_schools", false}, {"s8", "Hazel Household", "learning_homes", false},
		{"s9", "Ivy Household", "learning_homes", false}, {"s10", "Juniper Primary", "caring_schools", false},
		{"s11", "Kale Primary", "caring_schools", true}, {"s12", "Larch Primary", "caring_schools", false},
		{"s13", "Maple School", "caring_schools", false}, {"s14", "Nutmeg School", "caring_schools", false},
		{"s15", "Oak School", "caring_schools", false}, {"s16", "Pine School", "caring_schools", false},
	} {
		settingIDs[s.key] = setting(s.key, s.name, s.track, s.supporter)
	}
	rows := []appRow{
		// Awarded in 2025: caring_schools bronze ×3 (s1, s4, s7), silver ×1 (s2, twice), learning_homes gold ×1 (s3).
		{key: "a1", setting: "s1", track: "caring_schools", stage: "awarded", level: "bronze", decided: "2025-03-10T10:00:00Z", created: "2025-01-10T09:00:00Z"},
		{key: "a2", setting: "s2", track: "caring_schools", stage: "superseded", level: "silver", decided: "2025-06-15T10:00:00Z", created: "2025-01-11T09:00:00Z"},
		{key: "a2b", setting: "s2", track: "caring_schools", stage: "awarded", level: "silver", decided: "2025-10-01T10:00:00Z",
			reassesses: "a2", previousLevel: "silver", created: "2025-07-01T09:00:00Z"}, // same level: not higher; same setting: counted once
		{key: "a3old", setting: "s3", track: "learning_homes", stage: "superseded", level: "silver", decided: "2022-05-01T10:00:00Z", created: "2022-01-01T09:00:00Z"},
		{key: "a3", setting: "s3", track: "learning_homes", stage: "awarded", level: "gold", decided: "2025-11-20T10:00:00Z",
			reassesses: "a3old", previousLevel: "silver", created: "2025-02-01T09:00:00Z"}, // reassessed higher
		{key: "a4old", setting: "s4", track: "caring_schools", stage: "superseded", level: "silver", decided: "2022-05-01T10:00:00Z", created: "2022-01-01T09:00:00Z"},
		{key: "a4", setting: "s4", track: "caring_schools", stage: "awarded", level: "bronze", decided: "2025-08-01T10:00:00Z",
			reassesses: "a4old", previousLevel: "silver", created: "2025-02-01T09:00:00Z"}, // lower: not higher
		{key: "a5", setting: "s5", track: "caring_schools", stage: "not_yet", active: true, level: "not_met", decided: "2025-04-01T10:00:00Z", created: "2025-01-01T09:00:00Z"},
		{key: "a6", setting: "s6", track: "caring_schools", stage: "awarded", level: "bronze", decided: "2024-12-31T23:30:00Z", created: "2024-06-01T09:00:00Z"}, // 2024 in London
		{key: "a7", setting: "s7", track: "caring_schools", stage: "awarded", level: "bronze", decided: "2025-12-31T23:30:00Z", created: "2025-06-01T09:00:00Z"}, // still 2025 in London
		// Lapsed in 2025 (a8) and in 2024 (a9).
		{key: "a8", setting: "s8", track: "learning_homes", stage: "lapsed", level: "bronze", decided: "2022-06-01T10:00:00Z", closed: "2025-07-01T10:00:00Z", created: "2022-01-01T09:00:00Z"},
		{key: "a9", setting: "s9", track: "learning_homes", stage: "lapsed", level: "bronze", decided: "2021-06-01T10:00:00Z", closed: "2024-06-01T10:00:00Z", created: "2021-01-01T09:00:00Z"},
		// Working towards: a10, a11; a12 was registered after the period.
		{key: "a10", setting: "s10", track: "caring_schools", stage: "toolkit", active: true, created: "2025-02-01T09:00:00Z"},
		{key: "a11", setting: "s11", track: "caring_schools", stage: "portfolio", active: true, created: "2025-05-05T09:00:00Z"},
		{key: "a12", setting: "s12", track: "caring_schools", stage: "portfolio", active: true, created: "2026-01-05T09:00:00Z"},
		// In assessment: a13, a14, a15. Withdrawn: a16.
		{key: "a13", setting: "s13", track: "caring_schools", stage: "awaiting_allocation", active: true, created: "2025-03-03T09:00:00Z"},
		{key: "a14", setting: "s14", track: "caring_schools", stage: "assessment", active: true, created: "2025-04-01T09:00:00Z"},
		{key: "a15", setting: "s15", track: "caring_schools", stage: "moderation", active: true, created: "2024-12-02T09:00:00Z"},
		{key: "a16", setting: "s16", track: "caring_schools", stage: "withdrawn", closed: "2025-05-01T10:00:00Z", created: "2025-04-01T09:00:00Z"},
	}
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	nullTime := func(s string) any {
		if s == "" {
			return nil
		}
		return ts(s)
	}
	for i, r := range rows {
		id := "app_" + rt.id + "_" + r.key
		rt.apps[r.key] = id
		reassesses := ""
		if r.reassesses != "" {
			reassesses = rt.apps[r.reassesses]
		}
		updated := ts(r.created).Add(time.Duration(i) * time.Minute)
		exec(`INSERT INTO applications (id, tenant_id, setting_id, applicant_id, track, variant, framework_id, framework_version,
				stage, active, level_awarded, decided_at, closed_at, reassessment_of, previous_level, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,'primary','seeded',1,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
			id, rt.id, settingIDs[r.setting], rt.people["rita"], r.track, r.stage, r.active, null(r.level),
			nullTime(r.decided), nullTime(r.closed), null(reassesses), null(r.previousLevel), ts(r.created), updated)
	}

	// The audit trail: stage changes at chosen times (Europe/London is UTC in winter; the
	// times below are all 09:00, so only dates matter for working days).
	line := func(app, action, before, after, at string) {
		exec(`INSERT INTO audit_log (tenant_id, application_id, actor, action, detail, at, stage_before, stage_after)
			VALUES ($1,$2,$3,$4,'{}',$5,$6,$7)`, rt.id, rt.apps[app], rt.people["rita"], action, ts(at), null(before), null(after))
	}
	// a11: toolkit 5 → 7 May 2025 (2 working days); opened twice (counted once).
	line("a11", "registered", "toolkit", "toolkit", "2025-05-05T09:00:00Z")
	line("a11", "toolkit_opened", "toolkit", "portfolio", "2025-05-07T09:00:00Z")
	line("a11", "toolkit_opened", "portfolio", "portfolio", "2025-05-08T09:00:00Z")
	// a13: toolkit 3 → 6 March (3), portfolio 6 → 17 March (7), then awaiting allocation (not ended).
	line("a13", "registered", "toolkit", "toolkit", "2025-03-03T09:00:00Z")
	line("a13", "toolkit_granted", "toolkit", "toolkit", "2025-03-03T09:00:01Z")
	line("a13", "toolkit_opened", "toolkit", "portfolio", "2025-03-06T09:00:00Z")
	line("a13", "evidence_declared", "portfolio", "portfolio", "2025-03-07T09:00:00Z")
	line("a13", "submitted", "portfolio", "awaiting_allocation", "2025-03-17T09:00:00Z")
	// a14: toolkit 1 → 2 April (1), portfolio 2 → 22 April (12: Good Friday and Easter Monday
	// 2025 are bank holidays), awaiting allocation 0, offered 22 → 24 April (2), then assessment.
	line("a14", "registered", "toolkit", "toolkit", "2025-04-01T09:00:00Z")
	line("a14", "toolkit_opened", "toolkit", "portfolio", "2025-04-02T09:00:00Z")
	line("a14", "submitted", "portfolio", "awaiting_allocation", "2025-04-22T09:00:00Z")
	line("a14", "assessor_offered", "awaiting_allocation", "offered", "2025-04-22T09:00:01Z")
	line("a14", "assessment_reminder_sent", "", "", "2025-04-23T09:00:00Z") // no stage: skipped
	line("a14", "offer_accepted", "offered", "assessment", "2025-04-24T09:00:00Z")
	// a15: toolkit in December 2024 (ended before the period: left out), portfolio 4 December
	// 2024 → 6 January 2025 (20, over Christmas), awaiting allocation 0, offered 6 → 8 January
	// (2), assessment 8 January → 5 February (20), then moderation.
	line("a15", "registered", "toolkit", "toolkit", "2024-12-02T09:00:00Z")
	line("a15", "toolkit_opened", "toolkit", "portfolio", "2024-12-04T09:00:00Z")
	line("a15", "submitted", "portfolio", "awaiting_allocation", "2025-01-06T09:00:00Z")
	line("a15", "assessor_offered", "awaiting_allocation", "offered", "2025-01-06T09:00:01Z")
	line("a15", "offer_accepted", "offered", "assessment", "2025-01-08T09:00:00Z")
	line("a15", "assessment_submitted", "assessment", "moderation", "2025-02-05T09:00:00Z")
	// a12: everything in 2026, after the period.
	line("a12", "registered", "toolkit", "toolkit", "2026-01-05T09:00:00Z")
	line("a12", "toolkit_opened", "toolkit", "portfolio", "2026-01-06T09:00:00Z")

	// Offers and assignments.
	assign := func(id, app, setting, person, role, state, offered, accepted, closed string) {
		exec(`INSERT INTO assignments (id, tenant_id, application_id, setting_id, person_id, role, state, offered_at, accepted_at, closed_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, rt.id+"/"+id, rt.id, rt.apps[app], settingIDs[setting], rt.people[person],
			role, state, ts(offered), nullTime(accepted), nullTime(closed))
	}
	assign("x1", "a14", "s14", "ada", "assessor", "accepted", "2025-04-22T09:00:01Z", "2025-04-24T09:00:00Z", "")
	assign("x2", "a15", "s15", "ben", "assessor", "completed", "2025-01-06T09:00:01Z", "2025-01-08T09:00:00Z", "2025-02-05T09:00:00Z")
	assign("x3", "a15", "s15", "ada", "assessor", "declined", "2025-01-03T09:00:00Z", "", "2025-01-06T09:00:00Z")
	assign("x4", "a13", "s13", "ada", "assessor", "expired", "2024-12-20T09:00:00Z", "", "2025-01-02T09:00:00Z")
	assign("x5", "a15", "s15", "mo", "moderator", "offered", "2025-02-05T09:00:00Z", "", "")
	assign("x6", "a1", "s1", "ben", "assessor", "completed", "2024-11-01T09:00:00Z", "2024-11-02T09:00:00Z", "2024-12-15T09:00:00Z")
	assign("x7", "a2", "s2", "ben", "assessor", "completed", "2025-12-30T09:00:00Z", "2025-12-31T09:00:00Z", "2026-01-10T09:00:00Z")
	return rt
}

type reportJSON struct {
	TenantID string `json:"tenant_id"`
	From     string `json:"from"`
	To       string `json:"to"`
	Awarded  []struct {
		Track    string `json:"track"`
		Level    string `json:"level"`
		Settings int    `json:"settings"`
	} `json:"awarded"`
	AwardedTotal      int `json:"awarded_total"`
	ReassessedHigher  int `json:"reassessed_higher"`
	ToolkitsAccessed  int `json:"toolkits_accessed"`
	WorkingTowards    int `json:"working_towards"`
	InAssessment      int `json:"in_assessment"`
	Lapsed            int `json:"lapsed"`
	MedianWorkingDays []struct {
		Stage  string  `json:"stage"`
		Median float64 `json:"median"`
		Spans  int     `json:"spans"`
	} `json:"median_working_days"`
	AssessorWorkload []struct {
		PersonID  string `json:"person_id"`
		Name      string `json:"name"`
		Role      string `json:"role"`
		Offers    int    `json:"offers"`
		Accepted  int    `json:"accepted"`
		Completed int    `json:"completed"`
		Open      int    `json:"open"`
		Declined  int    `json:"declined"`
		Expired   int    `json:"expired"`
	} `json:"assessor_workload"`
	Notes []string `json:"notes"`
}

// csvDocument checks a CSV answer's headers and parses it.
func csvDocument(t *testing.T, r response, wantFilename string) [][]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/csv" || params["charset"] != "utf-8" {
		t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	disp, dparams, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || dparams["filename"] != wantFilename {
		t.Fatalf("Content-Disposition %q, want attachment; filename=%s", r.Header.Get("Content-Disposition"), wantFilename)
	}
	records, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, r.Body)
	}
	return records
}

func TestReportsFiguresOfASeededTenant(t *testing.T) {
	rt := seedReportTenant(t)
	var rep reportJSON
	rt.admin.must(200, "GET", "/v1/admin/reports?from=2025-01-01&to=2025-12-31", nil).json(t, &rep)

	if rep.TenantID != rt.id || rep.From != "2025-01-01" || rep.To != "2025-12-31" {
		t.Errorf("period: %s %s–%s", rep.TenantID, rep.From, rep.To)
	}
	awarded := map[string]int{}
	for _, a := range rep.Awarded {
		awarded[a.Track+"/"+a.Level] = a.Settings
	}
	wantAwarded := map[string]int{
		"caring_schools/bronze": 3, "caring_schools/silver": 1, "caring_schools/gold": 0,
		"learning_homes/bronze": 0, "learning_homes/silver": 0, "learning_homes/gold": 1,
	}
	if !reflect.DeepEqual(awarded, wantAwarded) || len(rep.Awarded) != 6 {
		t.Errorf("awarded %v, want %v", rep.Awarded, wantAwarded)
	}
	for name, got := range map[string][2]int{
		"awarded_total":     {rep.AwardedTotal, 5},
		"reassessed_higher": {rep.ReassessedHigher, 1},
		"toolkits_accessed": {rep.ToolkitsAccessed, 3},
		"working_towards":   {rep.WorkingTowards, 2},
		"in_assessment":     {rep.InAssessment, 3},
		"lapsed":            {rep.Lapsed, 1},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %d, want %d", name, got[0], got[1])
		}
	}
	type median struct {
		Stage  string
		Median float64
		Spans  int
	}
	var medians []median
	for _, m := range rep.MedianWorkingDays {
		medians = append(medians, median{m.Stage, m.Median, m.Spans})
	}
	wantMedians := []median{
		{"toolkit", 2, 3},             // a11 2, a13 3, a14 1
		{"portfolio", 12, 3},          // a13 7, a14 12, a15 20
		{"awaiting_allocation", 0, 2}, // a14 0, a15 0
		{"offered", 2, 2},             // a14 2, a15 2
		{"assessment", 20, 1},         // a15 20
	}
	if !reflect.DeepEqual(medians, wantMedians) {
		t.Errorf("medians\n got %+v\nwant %+v", medians, wantMedians)
	}
	type load struct {
		Person, Name, Role                                   string
		Offers, Accepted, Completed, Open, Declined, Expired int
	}
	var loads []load
	for _, w := range rep.AssessorWorkload {
		loads = append(loads, load{w.PersonID, w.Name, w.Role, w.Offers, w.Accepted, w.Completed, w.Open, w.Declined, w.Expired})
	}
	wantLoads := []load{
		{rt.people["ada"], "Ada Assessor", "assessor", 2, 1, 0, 1, 1, 1},
		{rt.people["ben"], "Ben Assessor", "assessor", 2, 2, 1, 0, 0, 0},
		{rt.people["mo"], "Mo Moderator", "moderator", 1, 0, 0, 1, 0, 0},
	}
	if !reflect.DeepEqual(loads, wantLoads) {
		t.Errorf("workload\n got %+v\nwant %+v", loads, wantLoads)
	}
	if len(rep.Notes) == 0 {
		t.Error("the report must say which figures are approximations")
	}

	// The same figures as CSV: section,key,measure,value.
	r := rt.admin.must(200, "GET", "/v1/admin/reports?from=2025-01-01&to=2025-12-31&format=csv", nil)
	records := csvDocument(t, r, "report-"+rt.id+"-2025-01-01-2025-12-31.csv")
	if !slices.Equal(records[0], []string{"section", "key", "measure", "value"}) {
		t.Fatalf("header %v", records[0])
	}
	cells := map[string]string{}
	for _, rec := range records[1:] {
		if len(rec) != 4 {
			t.Fatalf("record %v", rec)
		}
		cells[rec[0]+"|"+rec[1]+"|"+rec[2]] = rec[3]
	}
	want := map[string]string{
		"period|tenant|": rt.id, "period|from|": "2025-01-01", "period|to|": "2025-12-31",
		"awarded|total|settings": "5", "reassessed_higher|all|settings": "1", "toolkits_accessed|all|applications": "3",
		"working_towards|all|applications": "2", "in_assessment|all|applications": "3", "lapsed|all|applications": "1",
	}
	for k, v := range wantAwarded {
		want["awarded|"+k+"|settings"] = strconv.Itoa(v)
	}
	for _, m := range wantMedians {
		want["median_working_days|"+m.Stage+"|median"] = strconv.FormatFloat(m.Median, 'f', -1, 64)
		want["median_working_days|"+m.Stage+"|spans"] = strconv.Itoa(m.Spans)
	}
	for _, l := range wantLoads {
		key := "assessor_workload|" + l.Person + "/" + l.Role + "|"
		for measure, v := range map[string]string{"name": l.Name, "offers": strconv.Itoa(l.Offers), "accepted": strconv.Itoa(l.Accepted),
			"completed": strconv.Itoa(l.Completed), "open": strconv.Itoa(l.Open), "declined": strconv.Itoa(l.Declined), "expired": strconv.Itoa(l.Expired)} {
			want[key+measure] = v
		}
	}
	for k, v := range want {
		if cells[k] != v {
			t.Errorf("CSV %s = %q, want %q", k, cells[k], v)
		}
	}

	// A period of one day: 31 December 2025 in London holds a7's award only.
	var day reportJSON
	rt.admin.must(200, "GET", "/v1/admin/reports?from=2025-12-31&to=2025-12-31", nil).json(t, &day)
	if day.AwardedTotal != 1 || day.ReassessedHigher != 0 || day.Lapsed != 0 || day.ToolkitsAccessed != 0 || len(day.MedianWorkingDays) != 0 {
		t.Errorf("31 December 2025: %+v", day)
	}
}

func TestReportsRefuseBadPeriods(t *testing.T) {
	rt := seedReportTenant(t)
	for q, field := range map[string]string{
		"":                               "from",
		"?to=2025-12-31":                 "from",
		"?from=2025-01-01":               "to",
		"?from=2025-02-30&to=2025-12-31": "from",
		"?from=2025-01-01&to=31/12/2025": "to",
		"?from=2025-12-31&to=2025-01-01": "from",
		"?from=2025-01-01&to=2025-12-31&format=xlsx": "format",
	} {
		p := rt.admin.must(422, "GET", "/v1/admin/reports"+q, nil).problem(t)
		if !containsField(p, field) {
			t.Errorf("%q: problem %v does not name %s", q, p, field)
		}
	}
	// Applicants, supporters, assessors: not admins.
	for _, path := range []string{"/v1/admin/reports?from=2025-01-01&to=2025-12-31", "/v1/admin/audit",
		"/v1/admin/search?q=alder", "/v1/admin/applications/" + rt.apps["a1"]} {
		rt.applicant.must(403, "GET", path, nil).problem(t)
		as(t, shared, "").must(401, "GET", path, nil)
	}
}

func TestAdminSearchBySettingReferenceAndPerson(t *testing.T) {
	rt := seedReportTenant(t)
	// search returns what a query found: application id → what matched.
	search := func(q string) map[string]string {
		t.Helper()
		var out struct {
			Applications []struct {
				ID               string    `json:"id"`
				SettingReference string    `json:"setting_reference"`
				SettingName      string    `json:"setting_name"`
				Stage            string    `json:"stage"`
				ApplicantName    string    `json:"applicant_name"`
				Match            string    `json:"match"`
				UpdatedAt        time.Time `json:"updated_at"`
			} `json:"applications"`
		}
		rt.admin.must(200, "GET", "/v1/admin/search?q="+url.QueryEscape(q), nil).json(t, &out)
		found := map[string]string{}
		for _, a := range out.Applications {
			if a.SettingName == "" || a.SettingReference == "" || a.Stage == "" || a.ApplicantName != "Rita Reports" || a.UpdatedAt.IsZero() {
				t.Errorf("%q: incomplete row %+v", q, a)
			}
			found[a.ID] = a.Match
		}
		return found
	}
	sfx := strings.TrimPrefix(rt.id, "rpt")
	// Setting name: a case-insensitive substring.
	if got := search("ALDER prim"); !reflect.DeepEqual(got, map[string]string{rt.apps["a1"]: "setting_name"}) {
		t.Errorf("by name: %v", got)
	}
	// Two applications of one setting (s2: a2 and its reassessment a2b).
	if got := search("birch academy " + sfx); len(got) != 2 || got[rt.apps["a2"]] != "setting_name" || got[rt.apps["a2b"]] != "setting_name" {
		t.Errorf("by name, two applications: %v", got)
	}
	// Reference: exact (any case), or its beginning.
	if got := search(strings.ToLower(rt.refs["s14"])); !reflect.DeepEqual(got, map[string]string{rt.apps["a14"]: "reference"}) {
		t.Errorf("by reference: %v", got)
	}
	got := search(strings.ToUpper(sfx) + "-s1")
	for _, key := range []string{"a1", "a10", "a11", "a12", "a13", "a14", "a15", "a16"} { // s1, s10 … s16
		if got[rt.apps[key]] == "" {
			t.Errorf("by reference prefix: %s missing from %v", key, got)
		}
	}
	if got[rt.apps["a1"]] != "reference" || got[rt.apps["a10"]] != "reference_prefix" || len(got) != 8 {
		t.Errorf("by reference prefix: %v", got)
	}
	// Application id.
	if got := search(rt.apps["a7"]); !reflect.DeepEqual(got, map[string]string{rt.apps["a7"]: "id"}) {
		t.Errorf("by id: %v", got)
	}
	// People: the applicant by name or email; the supporter (of s11 only) by name or email.
	if got := search("rita rep"); len(got) != 19 {
		t.Errorf("by applicant name: %d found, want all 19", len(got))
	}
	if got := search("rita@" + rt.id); len(got) != 19 {
		t.Errorf("by applicant email: %d found", len(got))
	}
	for _, q := range []string{"Sam Supp", "sam@" + rt.id} {
		if got := search(q); !reflect.DeepEqual(got, map[string]string{rt.apps["a11"]: "supporter"}) {
			t.Errorf("by supporter %q: %v", q, got)
		}
	}
	// LIKE's wildcards are plain characters here.
	if got := search("%"); len(got) != 0 {
		t.Errorf("%%: %v", got)
	}
	if got := search("_"); len(got) != 0 {
		t.Errorf("_: %v", got)
	}
	rt.admin.must(422, "GET", "/v1/admin/search?q=+", nil).problem(t)
	// Another tenant's admin finds nothing of this one.
	other := as(t, shared, "demo-northshire-admin")
	var none struct {
		Applications []any `json:"applications"`
	}
	for _, q := range []string{"Alder Primary " + sfx, rt.apps["a1"], rt.refs["s1"], "rita@" + rt.id} {
		other.must(200, "GET", "/v1/admin/search?q="+url.QueryEscape(q), nil).json(t, &none)
		if len(none.Applications) != 0 {
			t.Errorf("northshire's admin found %q: %v", q, none.Applications)
		}
	}
}

func TestAuditTrailAndApplicationDetail(t *testing.T) {
	tm := newAwardTeam(t, "audt"+strings.TrimPrefix(postgres.NewID("x"), "x_")[:6], 3)
	appID, _ := tm.portfolio(t, "URN-AUD-1", "Quince Primary", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	tm.waitStage(t, appID, "offered")
	eventually(t, "the offer in the audit trail", func() bool {
		return countRows(t, `SELECT count(*) FROM audit_log WHERE application_id=$1 AND action='assessor_offered'`, appID) > 0
	})
	eventually(t, "the welcome email in the outbox", func() bool {
		return countRows(t, `SELECT count(*) FROM email_outbox WHERE application_id=$1 AND message_type='welcome'`, appID) > 0
	})

	// The audit trail of the application, as CSV.
	r := tm.adm.must(200, "GET", "/v1/admin/audit?application="+appID+"&format=csv", nil)
	records := csvDocument(t, r, "audit-"+tm.tenant+"-"+appID+".csv")
	header := []string{"id", "at", "application_id", "actor", "actor_name", "action", "stage_before", "stage_after", "detail"}
	if !slices.Equal(records[0], header) {
		t.Fatalf("header %v", records[0])
	}
	var registered []string
	actions := map[string]bool{}
	for _, rec := range records[1:] {
		if len(rec) != len(header) || rec[2] != appID {
			t.Fatalf("record %v", rec)
		}
		if _, err := time.Parse(time.RFC3339Nano, rec[1]); err != nil {
			t.Errorf("at %q: %v", rec[1], err)
		}
		var detail map[string]any
		if err := json.Unmarshal([]byte(rec[8]), &detail); err != nil {
			t.Errorf("detail %q: %v", rec[8], err)
		}
		actions[rec[5]] = true
		if rec[5] == "registered" {
			registered = rec
		}
	}
	if registered == nil || registered[7] != "toolkit" || registered[3] != tm.ids["applicant"] || registered[4] != "Asha Applicant" ||
		!strings.Contains(registered[8], `"variant":"primary"`) {
		t.Errorf("registration line %v", registered)
	}
	for _, a := range []string{"evidence_declared", "evidence_confirmed", "submitted", "assessor_offered"} {
		if !actions[a] {
			t.Errorf("no %s line in %v", a, actions)
		}
	}
	// The same as JSON; and the tenant's trail for today holds it too.
	var trail struct {
		Entries []struct {
			ID         int64  `json:"id"`
			Action     string `json:"action"`
			StageAfter string `json:"stage_after"`
		} `json:"entries"`
		Truncated bool `json:"truncated"`
	}
	tm.adm.must(200, "GET", "/v1/admin/audit?application="+appID, nil).json(t, &trail)
	// (Lines are only ever added: a later read holds at least the lines of an earlier one.)
	if len(trail.Entries) < len(records)-1 || trail.Truncated || trail.Entries[0].Action != "registered" {
		t.Errorf("JSON trail: %d lines (CSV %d), first %+v", len(trail.Entries), len(records)-1, trail.Entries[0])
	}
	today := time.Now().In(time.UTC).Format(time.DateOnly)
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	r = tm.adm.must(200, "GET", "/v1/admin/audit?from="+yesterday+"&to="+tomorrow+"&format=csv", nil)
	if recs := csvDocument(t, r, "audit-"+tm.tenant+"-from-"+yesterday+"-to-"+tomorrow+".csv"); len(recs) < len(records) {
		t.Errorf("today's trail (%s) has %d lines, the application alone %d", today, len(recs), len(records))
	}
	tm.adm.must(422, "GET", "/v1/admin/audit?from=2025-13-01", nil).problem(t)
	tm.adm.must(422, "GET", "/v1/admin/audit?from=2025-12-02&to=2025-12-01", nil).problem(t)
	// Never editable: no endpoint writes it, and the database refuses changes.
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		if r := tm.adm.do(m, "/v1/admin/audit", map[string]any{}); r.Status < 400 {
			t.Errorf("%s /v1/admin/audit: %d", m, r.Status)
		}
	}
	if _, err := shared.DB.Pool().Exec(t.Context(), `UPDATE audit_log SET action='x' WHERE application_id=$1`, appID); err == nil ||
		!strings.Contains(err.Error(), "append-only") {
		t.Errorf("updating the trail: %v", err)
	}
	if _, err := shared.DB.Pool().Exec(t.Context(), `DELETE FROM audit_log WHERE application_id=$1`, appID); err == nil {
		t.Error("deleting from the trail succeeded")
	}

	// The admin page of the application.
	var d struct {
		Summary struct {
			ID        string `json:"id"`
			Stage     string `json:"stage"`
			Applicant struct{ ID, Name string }
		} `json:"summary"`
		Application *struct {
			ID    string `json:"id"`
			Stage string `json:"stage"`
		} `json:"application"`
		JourneyError string `json:"journey_error"`
		Timeline     []struct {
			Stage  string    `json:"stage"`
			From   string    `json:"from"`
			At     time.Time `json:"at"`
			Action string    `json:"action"`
		} `json:"timeline"`
		Allocation *struct {
			Chosen   string `json:"chosen"`
			Reason   string `json:"reason"`
			Ranked   []string
			Excluded []any
		} `json:"allocation"`
		Emails []struct {
			MessageType string `json:"message_type"`
			RecipientID string `json:"recipient_id"`
			Subject     string `json:"subject"`
			Status      string `json:"status"`
			Attempts    int    `json:"attempts"`
		} `json:"emails"`
		Audit []struct {
			Action string `json:"action"`
		} `json:"audit"`
		Assignments []struct {
			PersonID string `json:"person_id"`
			State    string `json:"state"`
		} `json:"assignments"`
		TemporalUI string `json:"temporal_ui"`
		WorkflowID string `json:"workflow_id"`
	}
	r = tm.adm.must(200, "GET", "/v1/admin/applications/"+appID, nil)
	r.json(t, &d)
	if d.Summary.ID != appID || d.Summary.Applicant.ID != tm.ids["applicant"] || d.Summary.Applicant.Name != "Asha Applicant" {
		t.Errorf("summary %+v", d.Summary)
	}
	if d.Application == nil || d.Application.ID != appID || d.Application.Stage != "offered" || d.JourneyError != "" {
		t.Errorf("application %+v (%s)", d.Application, d.JourneyError)
	}
	var stages []string
	for _, e := range d.Timeline {
		stages = append(stages, e.Stage)
	}
	if len(stages) < 3 || stages[0] != "toolkit" || d.Timeline[0].Action != "registered" || stages[len(stages)-1] != "offered" ||
		!slices.Contains(stages, "awaiting_allocation") {
		t.Errorf("timeline %v", stages)
	}
	for i := 1; i < len(d.Timeline); i++ {
		if d.Timeline[i].From != stages[i-1] || d.Timeline[i].At.Before(d.Timeline[i-1].At) {
			t.Errorf("timeline entry %d: %+v after %+v", i, d.Timeline[i], d.Timeline[i-1])
		}
	}
	chosen := d.Allocation != nil && (d.Allocation.Chosen == tm.ids["assessor"] || d.Allocation.Chosen == tm.ids["other"])
	if !chosen || d.Allocation.Reason == "" || len(d.Allocation.Ranked) == 0 {
		t.Errorf("allocation %+v", d.Allocation)
	}
	welcome := slices.IndexFunc(d.Emails, func(e struct {
		MessageType string `json:"message_type"`
		RecipientID string `json:"recipient_id"`
		Subject     string `json:"subject"`
		Status      string `json:"status"`
		Attempts    int    `json:"attempts"`
	}) bool {
		return e.MessageType == "welcome"
	})
	if welcome < 0 || d.Emails[welcome].RecipientID != tm.ids["applicant"] || d.Emails[welcome].Subject == "" {
		t.Errorf("emails %+v", d.Emails)
	}
	var rawDetail struct {
		Emails json.RawMessage `json:"emails"`
	}
	r.json(t, &rawDetail)
	if bytes.Contains(rawDetail.Emails, []byte("@")) {
		t.Errorf("the emails show an address: %s", rawDetail.Emails)
	}
	if len(d.Audit) < len(records)-1 || d.Audit[0].Action != "registered" {
		t.Errorf("audit: %d lines, want %d", len(d.Audit), len(records)-1)
	}
	if len(d.Assignments) != 1 || d.Assignments[0].State != "offered" || d.Assignments[0].PersonID != d.Allocation.Chosen {
		t.Errorf("assignments %+v", d.Assignments)
	}
	if d.WorkflowID != workflows.WorkflowID(appID) {
		t.Errorf("workflow id %q", d.WorkflowID)
	}
	if ui := shared.TemporalUIURL(); ui == "" && d.TemporalUI != "" {
		t.Errorf("no Web UI in tests, yet a link %q", d.TemporalUI)
	}

	// With a Web UI configured, the page links to the workflow there.
	srv := httptest.NewServer((&api.Server{DB: shared.DB, Temporal: shared.Client, Objects: shared.Objects,
		Settings: award.DefaultSettings(), Limits: award.DefaultUploadLimits(), Namespace: "awards",
		TemporalUI: "http://ui.example:8233/"}).Handler())
	defer srv.Close()
	withUI := &client{t: t, base: srv.URL, token: "test-" + tm.tenant + "-admin"}
	withUI.must(200, "GET", "/v1/admin/applications/"+appID, nil).json(t, &d)
	if want := "http://ui.example:8233/namespaces/awards/workflows/application%2F" + appID; d.TemporalUI != want {
		t.Errorf("temporal_ui %q, want %q", d.TemporalUI, want)
	}

	// Tenant isolation: another tenant's admin sees none of it.
	other := as(t, shared, "demo-northshire-admin")
	other.must(404, "GET", "/v1/admin/applications/"+appID, nil).problem(t)
	other.must(404, "GET", "/v1/admin/audit?application="+appID, nil).problem(t)
	var theirs struct {
		Entries []struct {
			ApplicationID string `json:"application_id"`
		} `json:"entries"`
	}
	other.must(200, "GET", "/v1/admin/audit?from="+yesterday+"&to="+tomorrow, nil).json(t, &theirs)
	for _, e := range theirs.Entries {
		if e.ApplicationID == appID {
			t.Fatal("northshire's admin reads another tenant's audit trail")
		}
	}
	var rep reportJSON
	other.must(200, "GET", "/v1/admin/reports?from="+yesterday+"&to="+tomorrow, nil).json(t, &rep)
	if rep.TenantID != "northshire" {
		t.Errorf("report tenant %q", rep.TenantID)
	}
	for _, w := range rep.AssessorWorkload {
		if w.PersonID == tm.ids["assessor"] || w.PersonID == tm.ids["other"] {
			t.Errorf("northshire's report shows another tenant's assessor: %+v", w)
		}
	}
	// Non-admins of the same tenant: refused.
	tm.applicant.must(403, "GET", "/v1/admin/applications/"+appID, nil).problem(t)
	tm.assessor.must(403, "GET", "/v1/admin/audit?application="+appID, nil).problem(t)
	tm.moderator.must(403, "GET", "/v1/admin/search?q=quince", nil).problem(t)
}

func TestReportsTenantIsolation(t *testing.T) {
	rt := seedReportTenant(t)
	// A second seeded tenant's figures are its own: both see exactly their seeded data.
	rt2 := seedReportTenant(t)
	for _, tn := range []*reportTenant{rt, rt2} {
		var rep reportJSON
		tn.admin.must(200, "GET", "/v1/admin/reports?from=2025-01-01&to=2025-12-31", nil).json(t, &rep)
		if rep.TenantID != tn.id || rep.AwardedTotal != 5 || rep.InAssessment != 3 || rep.ToolkitsAccessed != 3 || len(rep.AssessorWorkload) != 3 {
			t.Errorf("%s: %+v", tn.id, rep)
		}
		for _, w := range rep.AssessorWorkload {
			if !slices.Contains([]string{tn.people["ada"], tn.people["ben"], tn.people["mo"]}, w.PersonID) {
				t.Errorf("%s's report shows %+v", tn.id, w)
			}
		}
	}
	rt2.admin.must(404, "GET", "/v1/admin/applications/"+rt.apps["a14"], nil).problem(t)
	rt2.admin.must(404, "GET", "/v1/admin/audit?application="+rt.apps["a14"], nil).problem(t)
	var trail struct {
		Entries []struct {
			ApplicationID string `json:"application_id"`
		} `json:"entries"`
	}
	rt2.admin.must(200, "GET", "/v1/admin/audit?from=2025-01-01&to=2025-12-31", nil).json(t, &trail)
	for _, e := range trail.Entries {
		if !strings.HasPrefix(e.ApplicationID, "app_"+rt2.id+"_") {
			t.Errorf("%s reads %s", rt2.id, e.ApplicationID)
		}
	}
}
