package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"awardengine/award"
	"awardengine/services/admin"
	"awardengine/services/admin/admintest"
	"awardengine/services/applications/appstest"
	"awardengine/services/cohort"
	"awardengine/services/people"
	"awardengine/services/signin"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The admin's back office (admin_office*.go) over fakes: the admin service's (admintest, with
// the settings kept here), the people service's and the cohort import's stores over appstest's
// people, and API tokens in memory.

var (
	ada = award.Person{ID: "p-ada", TenantID: "north", Name: "Ada Admin", Email: "ada@example.org",
		Roles: []string{award.RoleAdmin}, Active: true}
	ash = award.Person{ID: "p-ash", TenantID: "north", Name: "Ash Assessor", Email: "ash@example.org",
		Roles: []string{award.RoleAssessor}, Active: true}
)

// officeEnv is the pages with the back office's fakes.
type officeEnv struct {
	*testEnv
	admin   *admintest.Fakes
	config  *officeConfigStore
	people  *officePeopleStore
	links   *officeLinks
	tokens  *officeTokens
	cohorts *officeCohortStore
}

func newOfficeServer(t *testing.T, me award.Person) *officeEnv {
	t.Helper()
	e := newTestServer(t, me, nil)
	for _, p := range []award.Person{ada, ash} {
		e.fakes.Store.AddPerson(p)
	}
	af := admintest.New(e.fakes)
	o := &officeEnv{testEnv: e, admin: af,
		config: &officeConfigStore{Store: af.Store, configs: map[string]postgres.TenantConfig{
			"north": {Name: "North Council", Settings: award.DefaultSettings(), EmailTemplates: map[string]string{}}}},
		people:  &officePeopleStore{Store: e.fakes.Store, ids: []string{ann.ID, bob.ID, sue.ID, eve.ID, ada.ID, ash.ID}, refuse: map[string]error{}},
		links:   &officeLinks{},
		tokens:  &officeTokens{byPerson: map[string][]postgres.APIToken{}},
		cohorts: &officeCohortStore{Store: e.fakes.Store},
	}
	apps := e.fakes.Service()
	e.srv.Admin = func() *admin.Service {
		return &admin.Service{DB: o.config, Temporal: af.Temporal, Apps: apps}
	}
	e.srv.People = func() *people.Service { return &people.Service{DB: o.people, Links: o.links} }
	e.srv.Cohort = func() *cohort.Service {
		return &cohort.Service{DB: o.cohorts, Settings: award.DefaultSettings(), Limits: award.DefaultUploadLimits()}
	}
	e.srv.Tokens = o.tokens
	return o
}

// officeConfigStore is the admin store with the tenants' configuration, changed as the
// database changes it (validated, audited).
type officeConfigStore struct {
	*admintest.Store
	mu      sync.Mutex
	configs map[string]postgres.TenantConfig
	audit   []postgres.AuditEntry
}

func (s *officeConfigStore) TenantConfig(_ context.Context, tenantID string, def award.Settings) (postgres.TenantConfig, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.configs[tenantID]
	if !ok {
		return c, postgres.ErrNotFound
	}
	if !c.Own {
		c.Settings = def
	}
	return c, nil
}

func (s *officeConfigStore) UpdateTenantConfig(ctx context.Context, tenantID, actor string, def award.Settings,
	edit func(postgres.TenantConfig) (postgres.TenantConfig, map[string]any, error)) (postgres.TenantConfig, bool, error) {
	before, err := s.TenantConfig(ctx, tenantID, def)
	if err != nil {
		return before, false, err
	}
	after, detail, err := edit(before)
	if err != nil || detail == nil {
		return before, false, err
	}
	after.Own = before.Own || !reflect.DeepEqual(after.Settings, before.Settings)
	if err := after.Settings.Validate(); err != nil {
		return before, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configs[tenantID] = after
	s.audit = append(s.audit, postgres.AuditEntry{TenantID: tenantID, Actor: actor, Action: postgres.ActionSettingsChanged, Detail: detail})
	return after, true, nil
}

// Assessor is the roster entry, or (as the database has it) the defaults for anyone holding
// the assessor or moderator role.
func (s *officeConfigStore) Assessor(ctx context.Context, tenantID, personID string) (postgres.AssessorProfile, error) {
	p, err := s.Store.Assessor(ctx, tenantID, personID)
	if err == nil {
		return p, nil
	}
	person, perr := s.Store.Person(ctx, tenantID, personID)
	if perr != nil || !(person.Has(award.RoleAssessor) || person.Has(award.RoleModerator)) {
		return p, err
	}
	p = postgres.DefaultAssessorProfile(personID)
	p.Name, p.Email, p.Roles, p.Conflicts = person.Name, person.Email, person.Roles, []postgres.Conflict{}
	return p, nil
}

// officePeopleStore is the people service's store over appstest's people.
type officePeopleStore struct {
	*appstest.Store
	mu     sync.Mutex
	ids    []string
	refuse map[string]error // by person id: the next change of them is refused
	audit  []string
}

func (s *officePeopleStore) InvitePerson(ctx context.Context, p postgres.Person, actor string) (postgres.Person, error) {
	if q, err := s.PersonByEmail(ctx, p.TenantID, p.Email); err == nil {
		return p, &postgres.MemberExistsError{PersonID: q.ID}
	}
	roles, err := postgres.CheckRoles("roles", p.Roles)
	if err != nil {
		return p, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.ID, p.Roles, p.Active = fmt.Sprintf("p-new-%d", len(s.ids)), roles, true
	s.ids = append(s.ids, p.ID)
	s.Store.AddPerson(p)
	s.audit = append(s.audit, actor+" invited "+p.ID)
	return p, nil
}

func (s *officePeopleStore) change(ctx context.Context, tenantID, id, actor, what string, edit func(*postgres.Person) bool) (postgres.PersonChange, error) {
	p, err := s.Person(ctx, tenantID, id)
	if err != nil {
		return postgres.PersonChange{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refuse[id]; err != nil {
		delete(s.refuse, id)
		return postgres.PersonChange{}, err
	}
	if !edit(&p) {
		return postgres.PersonChange{Person: p}, nil
	}
	s.Store.AddPerson(p)
	s.audit = append(s.audit, actor+" "+what+" "+id)
	return postgres.PersonChange{Person: p, Changed: true}, nil
}

func (s *officePeopleStore) SetPersonRoles(ctx context.Context, tenantID, id string, roles []string, actor string) (postgres.PersonChange, error) {
	roles, err := postgres.CheckRoles("roles", roles)
	if err != nil {
		return postgres.PersonChange{}, err
	}
	if len(roles) == 0 {
		return postgres.PersonChange{}, &award.InputError{Field: "roles", Message: "required: at least one role"}
	}
	return s.change(ctx, tenantID, id, actor, "roles", func(p *postgres.Person) bool {
		if slices.Equal(p.Roles, roles) {
			return false
		}
		p.Roles = roles
		return true
	})
}

func (s *officePeopleStore) SetPersonActive(ctx context.Context, tenantID, id string, active bool, actor string) (postgres.PersonChange, error) {
	return s.change(ctx, tenantID, id, actor, fmt.Sprint("active=", active), func(p *postgres.Person) bool {
		if p.Active == active {
			return false
		}
		p.Active = active
		return true
	})
}

func (s *officePeopleStore) People(ctx context.Context, f postgres.PeopleFilter) ([]postgres.Person, error) {
	s.mu.Lock()
	ids := slices.Clone(s.ids)
	s.mu.Unlock()
	var out []postgres.Person
	for _, id := range ids {
		p, err := s.Person(ctx, f.TenantID, id)
		switch {
		case err != nil:
		case f.Query != "" && !strings.Contains(strings.ToLower(p.Name+" "+p.Email), strings.ToLower(f.Query)):
		case f.Role != "" && !p.Has(f.Role):
		case f.Active != nil && p.Active != *f.Active:
		default:
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b postgres.Person) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// officeLinks records the invitations sent.
type officeLinks struct {
	mu   sync.Mutex
	sent []string
}

func (l *officeLinks) SendInvitation(_ context.Context, tenantID, personID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, tenantID+"/"+personID)
	return nil
}

// officeTokens are API tokens in memory, refused as the sign-in service refuses.
type officeTokens struct {
	mu       sync.Mutex
	byPerson map[string][]postgres.APIToken
}

func (o *officeTokens) Tokens(_ context.Context, me postgres.Person, personID string) ([]postgres.APIToken, error) {
	if personID != me.ID && !me.Has(postgres.RoleAdmin) {
		return nil, &signin.Error{Status: http.StatusForbidden, Type: "forbidden", Title: "Forbidden", Detail: "only admins may list another person's tokens"}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.byPerson[personID]), nil
}

func (o *officeTokens) RevokeAnyToken(_ context.Context, me postgres.Person, id string) (postgres.APIToken, error) {
	if !me.Has(postgres.RoleAdmin) {
		return postgres.APIToken{}, &signin.Error{Status: http.StatusForbidden, Type: "forbidden", Title: "Forbidden", Detail: "only admins may revoke another person's token"}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for person, list := range o.byPerson {
		for i, t := range list {
			if t.ID == id {
				now := time.Now()
				list[i].RevokedAt = &now
				o.byPerson[person] = list
				return list[i], nil
			}
		}
	}
	return postgres.APIToken{}, &signin.Error{Status: http.StatusNotFound, Type: "not-found", Title: "Not found", Detail: "no token " + id}
}

// officeCohortStore imports cohorts in memory: a setting reference starting "TAKEN" already
// has an active application (the database's refusal); every other row registers.
type officeCohortStore struct {
	*appstest.Store
	mu      sync.Mutex
	imports []postgres.CohortImport
}

func (s *officeCohortStore) ImportCohort(ctx context.Context, imp postgres.CohortImport) (postgres.CohortOutcome, error) {
	s.mu.Lock()
	s.imports = append(s.imports, imp)
	s.mu.Unlock()
	var out postgres.CohortOutcome
	for _, r := range imp.Rows {
		if strings.HasPrefix(r.SettingReference, "TAKEN") {
			out.Problems = append(out.Problems, postgres.CohortProblem{Line: r.Line, Column: "setting_reference",
				Message: "this setting has an application in progress"})
			continue
		}
		_, err := s.PersonByEmail(ctx, imp.TenantID, r.ApplicantEmail)
		out.Created = append(out.Created, postgres.CohortCreated{Line: r.Line, SettingReference: r.SettingReference,
			ApplicationID: "app-" + strings.ToLower(r.SettingReference), ApplicantID: "p-" + r.ApplicantEmail, ApplicantInvited: err != nil})
	}
	if len(out.Problems) > 0 {
		out.Created = nil
	}
	return out, nil
}

// postMultipart posts a file as the upload form does.
func (e *testEnv) postMultipart(path, field, filename string, content []byte, values url.Values) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range values {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile(field, filename)
		if err != nil {
			e.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, base.ResolveReference(mustURL(e.t, path)).String(), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.do(req)
}

// officeNotice is the success banner's text.
func officeNotice(r response) string {
	return text(first(r.doc, hasClass("govuk-notification-banner__content")))
}

// officeRows are the rows of the table captioned caption, each as its cells' text.
func officeRows(t *testing.T, r response, caption string) [][]string {
	t.Helper()
	for _, table := range findAll(r.doc, func(n *htmlNode) bool { return n.Data == "table" }) {
		if !strings.Contains(text(first(table, func(n *htmlNode) bool { return n.Data == "caption" })), caption) {
			continue
		}
		var out [][]string
		for _, tr := range findAll(first(table, func(n *htmlNode) bool { return n.Data == "tbody" }), func(n *htmlNode) bool { return n.Data == "tr" }) {
			var row []string
			for _, c := range findAll(tr, func(n *htmlNode) bool { return n.Data == "td" || n.Data == "th" }) {
				row = append(row, text(c))
			}
			out = append(out, row)
		}
		return out
	}
	t.Fatalf("no table captioned %q:\n%s", caption, firstLines(mainText(r), 60))
	return nil
}

// officeListRows are the rows of the page's first summary list: key and value text.
func officeListRows(r response) [][]string {
	var out [][]string
	for _, row := range findAll(first(r.doc, hasClass("govuk-summary-list")), hasClass("govuk-summary-list__row")) {
		out = append(out, []string{text(first(row, hasClass("govuk-summary-list__key"))), text(first(row, hasClass("govuk-summary-list__value")))})
	}
	return out
}

// TestOfficeIsForAdmins: an assessor (or an applicant) opening any back-office page, or
// posting any of its forms, gets the 403 page and nothing changes.
func TestOfficeIsForAdmins(t *testing.T) {
	for _, who := range []award.Person{ash, ann} {
		o := newOfficeServer(t, who)
		for _, path := range []string{"/admin/reports", "/admin/reports.csv?from=2026-04-01&to=2026-04-30", "/admin/audit",
			"/admin/audit.csv", "/admin/people", "/admin/people/new", "/admin/people/p-bob", "/admin/people/p-bob/roles",
			"/admin/people/p-bob/deactivate", "/admin/people/p-ash/roster", "/admin/roster", "/admin/settings",
			"/admin/cohort", "/admin/cohort/template.csv", "/admin/reports?from-day=40"} {
			r := o.get(path)
			checkPage(t, r, http.StatusForbidden)
			if heading(r) != "You cannot do this" {
				t.Errorf("%s as %s: %q", path, who.Name, heading(r))
			}
		}
		for path, form := range map[string]url.Values{
			"/admin/people/new":              {"name": {"Zed"}, "email": {"zed@example.org"}, "roles": {"admin"}},
			"/admin/people/p-bob/roles":      {"roles": {"admin"}},
			"/admin/people/p-bob/deactivate": nil,
			"/admin/people/p-ash/roster":     {"capacity": {"9"}},
			"/admin/people/p-ash/conflicts":  {"setting_reference": {"URN-100"}, "reason": {"x"}},
			"/admin/settings":                {"name": {"Hacked"}},
			"/admin/cohort/import":           {"id": {"x"}},
		} {
			r := o.postForm(path, form)
			checkPage(t, r, http.StatusForbidden)
		}
		r := o.postMultipart("/admin/cohort", "file", "c.csv", []byte("setting_reference\n"), nil)
		checkPage(t, r, http.StatusForbidden)
		if len(o.people.audit) > 0 || len(o.config.audit) > 0 || len(o.cohorts.imports) > 0 || len(o.links.sent) > 0 {
			t.Fatalf("%s changed something: %v %v %d", who.Name, o.people.audit, o.config.audit, len(o.cohorts.imports))
		}
	}
}

// TestOfficeReports: the period's report as tables (awarded per track and level, the counts,
// the median days per stage, each person's workload), the financial year when no period is
// given, refused periods in words, and the same report as a CSV download.
func TestOfficeReports(t *testing.T) {
	o := newOfficeServer(t, ada)
	o.admin.Store.SetReport("north", postgres.Report{GeneratedAt: time.Now(),
		Awarded: []postgres.AwardedCount{{Track: "caring_schools", Level: "bronze", Settings: 3}, {Track: "caring_schools", Level: "silver", Settings: 1},
			{Track: "caring_schools", Level: "gold", Settings: 0}, {Track: "learning_homes", Level: "bronze", Settings: 2},
			{Track: "learning_homes", Level: "silver", Settings: 0}, {Track: "learning_homes", Level: "gold", Settings: 4}},
		AwardedTotal: 10, ReassessedHigher: 2, ToolkitsAccessed: 17, WorkingTowards: 23, InAssessment: 5, Lapsed: 1,
		MedianWorkingDays: []postgres.StageMedian{{Stage: "portfolio", Median: 41.5, Spans: 12}, {Stage: "assessment", Median: 14, Spans: 9}},
		AssessorWorkload:  []postgres.Workload{{PersonID: ash.ID, Name: "=Ash Assessor", Role: "assessor", Offers: 6, Accepted: 4, Completed: 3, Open: 1, Declined: 1, Expired: 1}},
		Notes:             []string{"Working towards and in assessment are counted as they are now."}})

	r := o.get("/admin/reports?from=2026-04-01&to=2026-06-30")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "1 April 2026 to 30 June 2026", "10 settings were given an award", "=Ash Assessor", "6 made: 4 accepted, 1 declined, 1 not answered in time",
		"Working days are Monday to Friday")
	if got := officeRows(t, r, "Settings awarded"); !reflect.DeepEqual(got, [][]string{{"Caring Schools Award", "3", "1", "0"}, {"Learning Homes Award", "2", "0", "4"}}) &&
		!(len(got) == 2 && got[0][1] == "3" && got[1][3] == "4") {
		t.Errorf("awarded rows %v", got)
	}
	if got := officeRows(t, r, "Applications"); got[0][1] != "2" || got[1][1] != "17" || got[2][1] != "23" || got[3][1] != "5" || got[4][1] != "1" {
		t.Errorf("applications rows %v", got)
	}
	if got := officeRows(t, r, "Time spent in each stage"); got[0][0] != "Gathering evidence" || got[0][1] != "41.5" || got[0][2] != "12" {
		t.Errorf("medians %v", got)
	}
	csvLink := "/admin/reports.csv?from=2026-04-01&to=2026-06-30"
	if !hasLink(r, csvLink) {
		t.Fatalf("no CSV link %s: %v", csvLink, links(r))
	}
	if v := attr(first(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "from-day" }), "value"); v != "1" {
		t.Errorf("from-day %q", v)
	}

	// The download.
	d := o.get(csvLink)
	if d.status != http.StatusOK || !strings.HasPrefix(d.header.Get("Content-Type"), "text/csv") ||
		d.header.Get("Content-Disposition") != `attachment; filename="report-north-2026-04-01-2026-06-30.csv"` || d.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("CSV %d %v", d.status, d.header)
	}
	rows, err := csv.NewReader(strings.NewReader(d.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"section", "key", "measure", "value"}, {"awarded", "caring_schools/bronze", "settings", "3"},
		{"awarded", "total", "settings", "10"}, {"median_working_days", "portfolio", "median", "41.5"},
		{"assessor_workload", "p-ash/assessor", "name", "'=Ash Assessor"}, {"lapsed", "all", "applications", "1"}}
	for _, w := range want {
		if !slices.ContainsFunc(rows, func(row []string) bool { return slices.Equal(row, w) }) {
			t.Errorf("no CSV row %v in\n%s", w, d.body)
		}
	}

	// The form's fields; no period: the financial year so far.
	r = o.get("/admin/reports?from-day=1&from-month=5&from-year=2026&to-day=31&to-month=5&to-year=2026")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "1 May 2026 to 31 May 2026")
	r = o.get("/admin/reports")
	checkPage(t, r, http.StatusOK)
	from, _ := officeFinancialYear(time.Now())
	mustSay(t, r, officeDay(from)+" to ")

	// Refused periods, in words, beside their fields.
	r = o.get("/admin/reports?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026")
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "from", "The start date must be a real date")
	r = o.get("/admin/reports?from-day=1&from-month=6&from-year=2026&to-day=1&to-month=5&to-year=2026")
	checkErrorSummary(t, r, "to", "The end date must be the same as or after the start date")
	r = o.get("/admin/reports?from-day=1&from-month=6&from-year=2026")
	checkErrorSummary(t, r, "to", "Enter the end date")
	r = o.get("/admin/reports.csv?from=2026-06-01&to=nonsense")
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "to", "The end date must be a real date")

	// The report could not be read: the problem page, nothing half-shown.
	o.admin.Store.Fail("Report", fmt.Errorf("connection refused"))
	r = o.get("/admin/reports")
	checkPage(t, r, http.StatusServiceUnavailable)
	mustNotSay(t, r, "connection refused")
}

// TestOfficeAudit: the export's form; the CSV streams the lines selected (one application's,
// formulas neutralised); an unknown application or a bad date is refused beside its field.
func TestOfficeAudit(t *testing.T) {
	o := newOfficeServer(t, ada)
	oakAt(o.fakes, workflows.Status{Stage: workflows.StagePortfolio})
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	o.admin.Store.AddAudit(postgres.AuditLine{AuditEntry: postgres.AuditEntry{TenantID: "north", ApplicationID: "app-oak", Actor: ann.ID,
		Action: "registered", At: at, Detail: map[string]any{"note": "=1+1"}}})
	o.admin.Store.AddAudit(postgres.AuditLine{AuditEntry: postgres.AuditEntry{TenantID: "north", Actor: ada.ID, Action: "settings_changed", At: at.Add(time.Hour)}})
	o.admin.Store.AddAudit(postgres.AuditLine{AuditEntry: postgres.AuditEntry{TenantID: "east", Actor: eve.ID, Action: "registered", At: at}})

	r := o.get("/admin/audit")
	checkPage(t, r, http.StatusOK)
	if first(r.doc, func(n *htmlNode) bool { return n.Data == "form" && attr(n, "action") == "/admin/audit.csv" }) == nil {
		t.Fatal("no form to /admin/audit.csv")
	}

	d := o.get("/admin/audit.csv")
	if d.status != http.StatusOK || d.header.Get("Content-Disposition") != `attachment; filename="audit-north.csv"` {
		t.Fatalf("audit CSV %d %v %s", d.status, d.header, d.body)
	}
	rows, err := csv.NewReader(strings.NewReader(d.body)).ReadAll()
	if err != nil || len(rows) != 3 || !slices.Equal(rows[0], admin.AuditColumns) {
		t.Fatalf("audit rows %v %v", rows, err)
	}
	d = o.get("/admin/audit.csv?application=app-oak&from-day=4&from-month=5&from-year=2026")
	rows, _ = csv.NewReader(strings.NewReader(d.body)).ReadAll()
	if d.header.Get("Content-Disposition") != `attachment; filename="audit-north-app-oak-from-2026-05-04.csv"` || len(rows) != 2 ||
		rows[1][2] != "app-oak" || rows[1][5] != "registered" {
		t.Fatalf("one application's lines: %v %v", d.header, rows)
	}

	r = o.get("/admin/audit.csv?application=app-nowhere")
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "application", "There is no application app-nowhere")
	r = o.get("/admin/audit.csv?from-day=1&from-month=13&from-year=2026")
	checkErrorSummary(t, r, "from", "The start date must be a real date")
}

// TestOfficePeople: the list and its filter, inviting (blanks and a known address refused in
// words; the invitation sent), a person's page with their roles and tokens, changing roles.
func TestOfficePeople(t *testing.T) {
	o := newOfficeServer(t, ada)
	r := o.get("/admin/people")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "5 people")
	rows := officeListRows(r)
	if len(rows) != 5 || !strings.Contains(rows[0][0], "Ada Admin") || !strings.Contains(rows[0][0], "ada@example.org") || rows[0][1] != "Admin Active" {
		t.Fatalf("people %v", rows) // north's five, not east's Eve
	}
	mustNotSay(t, r, "Eve Elsewhere")
	r = o.get("/admin/people?role=assessor")
	if rows := officeListRows(r); len(rows) != 1 || !strings.Contains(rows[0][0], "Ash Assessor") || rows[0][1] != "Assessor Active" {
		t.Fatalf("assessors %v", rows)
	}
	r = o.get("/admin/people?q=nobody")
	mustSay(t, r, "Nobody found")

	// Inviting.
	r = o.get("/admin/people/new")
	checkPage(t, r, http.StatusOK)
	r = o.postForm("/admin/people/new", url.Values{})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "name", "Enter their full name")
	r = o.postForm("/admin/people/new", url.Values{"name": {"Zoe"}, "email": {"zoe@example.org"}})
	checkErrorSummary(t, r, "roles", "Select what they can do")
	r = o.postForm("/admin/people/new", url.Values{"name": {"Zoe"}, "email": {"not an address"}, "roles": {"assessor"}})
	checkErrorSummary(t, r, "email", "Enter an email address in the correct format")
	r = o.postForm("/admin/people/new", url.Values{"name": {"Bob again"}, "email": {"bob@example.org"}, "roles": {"assessor"}})
	checkErrorSummary(t, r, "email", "already has this email address")
	if first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "roles-assessor" && officeHasAttr(n, "checked") }) == nil {
		t.Error("the refused form lost the roles chosen")
	}
	r = o.postForm("/admin/people/new", url.Values{"name": {"Zoe Zed"}, "email": {"Zoe@Example.org"}, "roles": {"assessor", "moderator"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", r.status, firstLines(mainText(r), 40))
	}
	r = o.follow(r)
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Zoe Zed" || officeNotice(r) != "We have emailed Zoe Zed an invitation to sign in." {
		t.Fatalf("after inviting: %q %q", heading(r), officeNotice(r))
	}
	mustSay(t, r, "zoe@example.org", "Assessor, Moderator", "Assessing and moderating", "has no API tokens")
	if len(o.links.sent) != 1 {
		t.Fatalf("invitations %v", o.links.sent)
	}

	// A person's tokens and roles.
	o.tokens.byPerson[bob.ID] = []postgres.APIToken{
		{ID: "tok-1", PersonID: bob.ID, Label: "reports script", CreatedAt: day1, ExpiresAt: time.Now().Add(48 * time.Hour)},
		{ID: "tok-2", PersonID: bob.ID, Label: "old laptop", CreatedAt: day1, ExpiresAt: day2}}
	r = o.get("/admin/people/p-bob")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "bob@example.org", "Applicant", "reports script", "old laptop", "Expired", "Deactivate Bob Applicant")
	if !hasLink(r, "/admin/people/p-bob/tokens/tok-1/revoke") || hasLink(r, "/admin/people/p-bob/tokens/tok-2/revoke") {
		t.Errorf("revoke links %v", links(r))
	}
	mustNotSay(t, r, "Assessing and moderating")
	checkNotFound(t, o.get("/admin/people/p-eve"), "Eve")
	checkNotFound(t, o.get("/admin/people/p-nobody"))

	r = o.get("/admin/people/p-bob/roles")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "What can Bob Applicant do?" {
		t.Errorf("h1 %q", heading(r))
	}
	r = o.postForm("/admin/people/p-bob/roles", url.Values{})
	checkErrorSummary(t, r, "roles", "Select at least one role")
	o.people.refuse[bob.ID] = &postgres.OpenWorkError{}
	r = o.postForm("/admin/people/p-bob/roles", url.Values{"roles": {"applicant", "supporter"}})
	checkPage(t, r, http.StatusConflict)
	if len(errorSummary(r)) == 0 {
		t.Fatal("open work: no error summary")
	}
	r = o.postForm("/admin/people/p-bob/roles", url.Values{"roles": {"applicant", "supporter"}})
	r = o.follow(r)
	if officeNotice(r) != "Bob Applicant can now act as: applicant, supporter." {
		t.Fatalf("notice %q", officeNotice(r))
	}
	mustSay(t, r, "Applicant, Supporter")
}

// TestOfficeDeactivateAndTokens: deactivating asks first, then the person is deactivated (a
// refusal shown on their page); reactivating; revoking a token asks first, then revokes it.
func TestOfficeDeactivateAndTokens(t *testing.T) {
	o := newOfficeServer(t, ada)
	o.tokens.byPerson[bob.ID] = []postgres.APIToken{{ID: "tok-1", PersonID: bob.ID, Label: "reports script", CreatedAt: day1,
		ExpiresAt: time.Now().Add(48 * time.Hour)}}

	r := o.get("/admin/people/p-bob/deactivate")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Are you sure you want to deactivate Bob Applicant?" {
		t.Fatalf("h1 %q", heading(r))
	}
	o.people.refuse[bob.ID] = &postgres.LastAdminError{Change: "deactivate this person"}
	r = o.postForm("/admin/people/p-bob/deactivate", nil)
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "", "last active admin")
	r = o.follow(o.postForm("/admin/people/p-bob/deactivate", nil))
	if !strings.HasPrefix(officeNotice(r), "Bob Applicant is deactivated.") {
		t.Fatalf("notice %q", officeNotice(r))
	}
	mustSay(t, r, "Deactivated", "Reactivate Bob Applicant")
	if !slices.Contains(o.people.audit, "p-ada active=false p-bob") {
		t.Fatalf("audit %v", o.people.audit)
	}
	// Already deactivated: the confirmation is not offered again.
	if r := o.get("/admin/people/p-bob/deactivate"); r.status != http.StatusSeeOther {
		t.Errorf("deactivate a deactivated person: %d", r.status)
	}
	r = o.follow(o.postForm("/admin/people/p-bob/reactivate", nil))
	if officeNotice(r) != "Bob Applicant is reactivated and can sign in again." {
		t.Fatalf("notice %q", officeNotice(r))
	}

	r = o.get("/admin/people/p-bob/tokens/tok-1/revoke")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "reports script", "You cannot undo this")
	checkNotFound(t, o.get("/admin/people/p-bob/tokens/tok-other/revoke"))
	checkNotFound(t, o.get("/admin/people/p-ann/tokens/tok-1/revoke")) // Bob's token is not Ann's
	r = o.follow(o.postForm("/admin/people/p-bob/tokens/tok-1/revoke", nil))
	if officeNotice(r) != "The API token “reports script” is revoked: it no longer works." {
		t.Fatalf("notice %q", officeNotice(r))
	}
	mustSay(t, r, "Revoked")
	if o.tokens.byPerson[bob.ID][0].RevokedAt == nil {
		t.Fatal("not revoked")
	}
}

// TestOfficeRoster: an assessor's roster form (awards, specialisms, capacity, new work) with
// refusals in words; conflicts of interest added (unknown setting refused) and removed after
// asking; the roster's overview.
func TestOfficeRoster(t *testing.T) {
	o := newOfficeServer(t, ada)
	o.fakes.AddApplication(postgres.Application{ID: "app-oak", TenantID: "north", ApplicantID: ann.ID, SettingID: "set-oak",
		SettingReference: "URN-100", SettingName: "Oak Primary", Track: "caring_schools", Variant: "primary"}, workflows.Status{Stage: workflows.StagePortfolio})
	o.admin.Store.SetRoster("north", []postgres.AssessorProfile{{PersonID: ash.ID, Name: ash.Name, Email: ash.Email, Roles: ash.Roles,
		Tracks: []award.Track{award.CaringSchools}, Specialisms: []award.Specialism{}, Capacity: 3, Active: true, Open: 1, Conflicts: []postgres.Conflict{}}})

	r := o.get("/admin/people/p-ash")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Assessing and moderating", "Caring Schools Award", "1 open of 3 at a time", "None declared")

	r = o.get("/admin/people/p-ash/roster")
	checkPage(t, r, http.StatusOK)
	if v := attr(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "capacity" }), "value"); v != "3" {
		t.Errorf("capacity %q", v)
	}
	r = o.postForm("/admin/people/p-ash/roster", url.Values{"tracks": {"caring_schools", "learning_homes"}, "capacity": {"lots"}, "active": {"yes"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "capacity", "as a number from 0 to 100")
	if first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "tracks-learning_homes" && officeHasAttr(n, "checked") }) == nil {
		t.Error("the refused form lost the awards ticked")
	}
	r = o.postForm("/admin/people/p-ash/roster", url.Values{"tracks": {"caring_schools"}, "capacity": {"500"}, "active": {"yes"}})
	checkErrorSummary(t, r, "capacity", "as a number from 0 to 100")
	r = o.postForm("/admin/people/p-ash/roster", url.Values{"tracks": {"caring_schools", "learning_homes"}, "specialisms": {"early_years"},
		"capacity": {"5"}, "active": {"no"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, firstLines(mainText(r), 40))
	}
	r = o.follow(r)
	if officeNotice(r) != "Ash Assessor's roster entry is saved. They will not be offered new work until you change this." {
		t.Errorf("notice %q", officeNotice(r))
	}
	mustSay(t, r, "Caring Schools Award, Learning Homes Award", "Early years", "1 open of 5 at a time", "Not offered new work")

	// Conflicts.
	r = o.postForm("/admin/people/p-ash/conflicts", url.Values{"setting_reference": {"URN-999"}, "reason": {"Governor there"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "setting_reference", "There is no setting with the reference URN-999")
	r = o.postForm("/admin/people/p-ash/conflicts", url.Values{"setting_reference": {"URN-100"}})
	checkErrorSummary(t, r, "reason", "Enter why they may not assess this setting")
	if v := attr(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "setting_reference" }), "value"); v != "URN-100" {
		t.Errorf("the refused conflict lost its reference: %q", v)
	}
	r = o.follow(o.postForm("/admin/people/p-ash/conflicts", url.Values{"setting_reference": {"URN-100"}, "reason": {"Governor there"}}))
	checkPage(t, r, http.StatusOK)
	if !strings.Contains(officeNotice(r), "URN-100 is recorded") {
		t.Errorf("notice %q", officeNotice(r))
	}
	mustSay(t, r, "Governor there")
	if !hasLink(r, "/admin/people/p-ash/conflicts/set-oak/remove") {
		t.Fatalf("no remove link: %v", links(r))
	}
	r = o.get("/admin/people/p-ash/conflicts/set-oak/remove")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "Governor there")
	checkNotFound(t, o.get("/admin/people/p-ash/conflicts/set-elm/remove"))
	r = o.follow(o.postForm("/admin/people/p-ash/conflicts/set-oak/remove", nil))
	mustSay(t, r, "None declared.")

	// Not on the roster: not found; the overview.
	checkNotFound(t, o.get("/admin/people/p-bob/roster"))
	r = o.get("/admin/roster")
	checkPage(t, r, http.StatusOK)
	if rows := officeRows(t, r, "person"); len(rows) != 1 || !strings.Contains(rows[0][0], "Ash Assessor") || !strings.Contains(rows[0][2], "1 of 5") {
		t.Fatalf("roster %v", rows)
	}
}

// TestOfficeSettings: the settings as they are; every value refused says which field and why
// (beside it and in the summary, the form keeping what was typed) and nothing is saved; a
// change is saved, listed in the notice and audited with each value before and after; the
// header shows a new name at once.
func TestOfficeSettings(t *testing.T) {
	o := newOfficeServer(t, ada)
	r := o.get("/admin/settings")
	checkPage(t, r, http.StatusOK)
	value := func(r response, id string) string {
		return attr(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == id }), "value")
	}
	if value(r, "name") != "North Council" || value(r, "toolkit_nudge_days") != "14" || value(r, "first_year_reminder_months") != "6, 9, 11" ||
		value(r, "award_valid_days") != "" || value(r, "email_templates-welcome") != "" || value(r, "offer_workdays") != "5" ||
		value(r, "assessment_workdays") != "20" || value(r, "resubmit_months") != "3" {
		t.Fatalf("values: %q %q %q", value(r, "name"), value(r, "toolkit_nudge_days"), value(r, "first_year_reminder_months"))
	}
	mustSay(t, r, "apply to applications registered from now on", "Applications already registered keep the timings they started with")

	form := func(changes map[string]string) url.Values {
		f := url.Values{}
		for _, in := range findAll(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") != "" }) {
			f.Set(attr(in, "name"), attr(in, "value"))
		}
		for k, v := range changes {
			f.Set(k, v)
		}
		return f
	}
	bad := o.postForm("/admin/settings", form(map[string]string{"toolkit_nudge_days": "0", "dormant_after_days": "30",
		"first_year_reminder_months": "6, 13", "email_templates.welcome": "my-template", "digest_delay_minutes": "soon", "name": ""}))
	checkPage(t, bad, http.StatusUnprocessableEntity)
	checkErrorSummary(t, bad, "digest_delay_minutes", "Enter the digest's wait as a whole number of minutes")
	if value(bad, "digest_delay_minutes") != "soon" || value(bad, "toolkit_nudge_days") != "0" {
		t.Error("the refused form lost what was typed")
	}
	bad = o.postForm("/admin/settings", form(map[string]string{"toolkit_nudge_days": "0", "dormant_after_days": "30",
		"first_year_reminder_months": "6, 13", "email_templates.welcome": "my-template", "name": ""}))
	checkPage(t, bad, http.StatusUnprocessableEntity)
	checkErrorSummary(t, bad, "name", "Enter the council name")
	checkErrorSummary(t, bad, "toolkit_nudge_days", "The toolkit nudge must be from 1 to 90 days (it was 0)")
	checkErrorSummary(t, bad, "dormant_after_days", "must be longer than the time before the first inactivity nudge (56 days)")
	checkErrorSummary(t, bad, "first_year_reminder_months", "Each first-year reminder must come before the due date")
	checkErrorSummary(t, bad, "email_templates.welcome", "SendGrid dynamic template id")
	late := o.postForm("/admin/settings", form(map[string]string{"reminder_workdays": "12", "offer_workdays": "five"}))
	checkPage(t, late, http.StatusUnprocessableEntity)
	checkErrorSummary(t, late, "offer_workdays", "Enter the time to accept an offer as a whole number of days")
	late = o.postForm("/admin/settings", form(map[string]string{"reminder_workdays": "12"}))
	checkErrorSummary(t, late, "reminder_workdays", "The first reminder must come after the step starts")
	if first(bad.doc, func(n *htmlNode) bool { return n.Data == "details" && officeHasAttr(n, "open") }) == nil {
		t.Error("the templates' details stay closed around a refused template")
	}
	if len(o.config.audit) != 0 {
		t.Fatalf("saved while refused: %v", o.config.audit)
	}

	ok := o.postForm("/admin/settings", form(map[string]string{"toolkit_nudge_days": "21", "name": "North County Council",
		"email_templates.welcome": "d-0123456789abcdef0123456789abcdef", "retain_days": "2555", "offer_workdays": "3"}))
	if ok.status != http.StatusSeeOther {
		t.Fatalf("save: %d %v", ok.status, errorSummary(ok))
	}
	r = o.follow(ok)
	notice := officeNotice(r)
	for _, s := range []string{"the council name (North Council to North County Council)", "the toolkit reminder (14 days to 21 days)",
		"the welcome template (none to d-0123456789abcdef0123456789abcdef)", "how long data is kept (six years to 2555 days)",
		"the time to accept an offer (5 working days to 3 working days)"} {
		if !strings.Contains(notice, s) {
			t.Errorf("notice %q does not say %q", notice, s)
		}
	}
	if value(r, "toolkit_nudge_days") != "21" || value(r, "retain_days") != "2555" {
		t.Error("the saved values are not shown")
	}
	if len(o.config.audit) != 1 || o.config.audit[0].Actor != ada.ID || o.config.audit[0].Action != "settings_changed" {
		t.Fatalf("audit %+v", o.config.audit)
	}
	changes := o.config.audit[0].Detail["changes"].([]map[string]any)
	if !slices.ContainsFunc(changes, func(c map[string]any) bool {
		return c["field"] == "toolkit_nudge_days" && c["before"] == "14 days" && c["after"] == "21 days"
	}) || len(changes) != 5 {
		t.Fatalf("audit changes %v", changes)
	}
	st := o.config.configs["north"].Settings
	if st.ToolkitNudgeAfter != 21*award.Day || st.RetainFor != 2555*award.Day || st.InactivityNudgeAfter != 8*award.Week {
		t.Fatalf("stored %+v", st)
	}

	// Saving again as it is changes nothing and audits nothing.
	r = o.follow(o.postForm("/admin/settings", form(map[string]string{"toolkit_nudge_days": "21", "name": "North County Council",
		"email_templates.welcome": "d-0123456789abcdef0123456789abcdef", "retain_days": "2555"})))
	if officeNotice(r) != "Nothing was changed." || len(o.config.audit) != 1 {
		t.Fatalf("a save without changes: %q %d", officeNotice(r), len(o.config.audit))
	}
}

const officeCohortHeader = "setting_reference,setting_name,track,variant,applicant_name,applicant_email,supporter_email,supporter_name\n"

// TestOfficeCohort: a file with problems is listed by line and column with nothing imported;
// a good one shows its dry run (every setting, who is new) and "Import N settings", which
// imports the same file; the confirmation works once.
func TestOfficeCohort(t *testing.T) {
	o := newOfficeServer(t, ada)
	r := o.get("/admin/cohort")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "setting_reference", "applicant_email", "supporter_email (optional)")
	d := o.get("/admin/cohort/template.csv")
	if d.status != http.StatusOK || !strings.HasPrefix(d.body, "setting_reference,setting_name,track,variant") {
		t.Fatalf("template %d %q", d.status, d.body)
	}

	r = o.postMultipart("/admin/cohort", "file", "", nil, nil)
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "file", "Select a CSV file")
	r = o.postMultipart("/admin/cohort", "file", "big.csv", bytes.Repeat([]byte("a"), officeCohortMaxBytes+10), nil)
	checkErrorSummary(t, r, "file", "smaller than 1 MB")

	bad := officeCohortHeader +
		"URN-1,Oak Primary,caring_schools,primary,Ann Applicant,ann@example.org,,\n" +
		"URN-2,Elm Primary,caring_schools,nursery,Nia New,nia@example.org,,\n" +
		"TAKEN-3,Ash Secondary,caring_schools,secondary,Ola Other,ola@example.org,,\n"
	r = o.postMultipart("/admin/cohort", "file", "autumn.csv", []byte(bad), nil)
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "problems", "Nothing was imported")
	rows := officeListRows(r)
	if len(rows) != 2 || rows[0][0] != "Line 3 variant" || rows[1][0] != "Line 4 setting_reference" || !strings.Contains(rows[1][1], "application in progress") {
		t.Fatalf("problems %v", rows)
	}
	if len(o.cohorts.imports) != 1 || !o.cohorts.imports[0].DryRun {
		t.Fatalf("imports %d", len(o.cohorts.imports))
	}

	good := officeCohortHeader +
		"URN-1,Oak Primary,caring_schools,primary,Ann Applicant,ann@example.org,,\n" +
		"URN-2,Elm Primary,caring_schools,primary,Nia New,nia@example.org,sue@example.org,Sue Supporter\n"
	r = o.postMultipart("/admin/cohort", "file", "autumn.csv", []byte(good), nil)
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "autumn.csv has no problems", "registers 2 settings and invites 1 new person", "Oak Primary", "Nia New")
	cards := findAll(r.doc, hasClass("govuk-summary-card"))
	if len(cards) != 2 || !strings.Contains(text(cards[1]), "Elm Primary Line 3") || !strings.Contains(text(cards[1]), "Nia New New nia@example.org") ||
		!strings.Contains(text(cards[1]), "Supporter Sue Supporter sue@example.org") || strings.Contains(text(cards[0]), "New") {
		t.Fatalf("dry run cards %q", text(first(r.doc, func(n *htmlNode) bool { return n.Data == "main" })))
	}
	button := text(first(r.doc, func(n *htmlNode) bool {
		return n.Data == "button" && attr(n, "type") == "submit" && strings.HasPrefix(text(n), "Import")
	}))
	if button != "Import 2 settings" {
		t.Fatalf("button %q", button)
	}
	id := attr(first(r.doc, func(n *htmlNode) bool { return attr(n, "name") == "id" }), "value")
	if !o.cohorts.imports[1].DryRun {
		t.Fatal("the check imported")
	}

	r = o.postForm("/admin/cohort/import", url.Values{"id": {"not-the-id"}})
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "file", "upload it again")
	r = o.postMultipart("/admin/cohort", "file", "autumn.csv", []byte(good), nil)
	id = attr(first(r.doc, func(n *htmlNode) bool { return attr(n, "name") == "id" }), "value")
	r = o.postForm("/admin/cohort/import", url.Values{"id": {id}})
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Cohort imported" || !strings.HasPrefix(officeNotice(r), "Imported: 2 applications registered, 1 new people invited") {
		t.Fatalf("result %q %q", heading(r), officeNotice(r))
	}
	last := o.cohorts.imports[len(o.cohorts.imports)-1]
	if last.DryRun || len(last.Rows) != 2 || last.Rows[1].SettingReference != "URN-2" {
		t.Fatalf("the import: %+v", last)
	}
	if !hasLink(r, "/admin/applications/app-urn-1") {
		t.Errorf("no link to the application: %v", links(r))
	}
	// Once only.
	r = o.postForm("/admin/cohort/import", url.Values{"id": {id}})
	checkPage(t, r, http.StatusConflict)
	if n := len(o.cohorts.imports); n != 4 {
		t.Fatalf("%d imports", n)
	}
}

func init() {
	for name, data := range map[string]any{
		"admin/reports": officeReportsData{}, "admin/audit": officeAuditData{}, "admin/people": officePeopleData{},
		"admin/person-new": officeInviteData{}, "admin/person": officePersonData{}, "admin/person-roles": officeRolesData{},
		"admin/person-deactivate": officePersonData{}, "admin/person-token-revoke": officeRevokeData{},
		"admin/roster-person": officeRosterEntryData{}, "admin/roster-conflict-remove": officeConflictData{},
		"admin/roster": []postgres.AssessorProfile(nil), "admin/settings": officeSettingsView(structs.TenantSettings{}, nil, nil),
		"admin/cohort": officeCohortData{}, "admin/cohort-check": officeCohortData{}, "admin/cohort-result": officeCohortData{},
	} {
		zeroData[name] = data
	}
}

func officeHasAttr(n *htmlNode, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}
