// Package admintest holds in-memory fakes of what the admin service depends on (its Store
// and Temporal interfaces), over the applications service's fakes
// (services/applications/appstest): applications, people and assignments are appstest's, so a
// page's admin view and its applications-service actions see the same rows. Only tests import
// it.
//
// Like the database, every lookup is scoped to a tenant (another tenant's id finds nothing).
// What the fakes hold is set by the test: the stuck list's PostgreSQL entries, search results,
// audit lines, emails, the roster, the dashboard's counts and the report.
package admintest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"

	"awardengine/award"
	"awardengine/services/admin"
	"awardengine/services/applications/appstest"
	"awardengine/storage/postgres"
)

// Fakes are the admin service's dependencies over the applications service's fakes.
type Fakes struct {
	Apps     *appstest.Fakes
	Store    *Store
	Temporal *Temporal
}

// New returns admin fakes over apps (nil: new empty appstest fakes).
func New(apps *appstest.Fakes) *Fakes {
	if apps == nil {
		apps = appstest.New()
	}
	return &Fakes{Apps: apps, Store: NewStore(apps.Store), Temporal: &Temporal{Describe: map[string]*workflowservice.DescribeWorkflowExecutionResponse{}}}
}

// Service is an admin service over the fakes, with the applications service over apps, and a
// Temporal Web UI link at ui ("" = none).
func (f *Fakes) Service(ui string) *admin.Service {
	return &admin.Service{DB: f.Store, Temporal: f.Temporal, Apps: f.Apps.Service(), TemporalUI: ui}
}

// Store is the admin service's PostgreSQL in memory, over the applications' store.
type Store struct {
	Apps *appstest.Store

	mu        sync.Mutex
	stuck     []postgres.StuckEntry
	search    []postgres.SearchResult
	audit     []postgres.AuditLine
	emails    map[string][]postgres.SentEmail       // by tenant|application
	roster    map[string][]postgres.AssessorProfile // by tenant
	previous  map[string]string                     // by tenant|setting: the previous cycle's assessor
	dashboard map[string]postgres.Dashboard         // by tenant
	report    map[string]postgres.Report            // by tenant
	fail      map[string]error

	// Recorded are the changes written (Record), in order.
	Recorded []postgres.Change
	// Searched are the queries searched, in order.
	Searched []string
	// DashboardPeriods are the median periods the dashboard was asked for ([from, to]).
	DashboardPeriods [][2]time.Time
}

// NewStore returns an empty store over the applications' store.
func NewStore(apps *appstest.Store) *Store {
	return &Store{Apps: apps, emails: map[string][]postgres.SentEmail{}, roster: map[string][]postgres.AssessorProfile{},
		previous: map[string]string{}, dashboard: map[string]postgres.Dashboard{}, report: map[string]postgres.Report{},
		fail: map[string]error{}}
}

// Fail makes every later call of the named method ("Dashboard", "Search", …) return err (nil
// clears it).
func (s *Store) Fail(method string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.fail, method)
		return
	}
	s.fail[method] = err
}

// AddStuck adds an entry of the stuck list as PostgreSQL finds it: listed for the tenant of
// its application (appstest's).
func (s *Store) AddStuck(e postgres.StuckEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.HolderName == "" {
		e.HolderName = postgres.HolderLabel(e.Who)
	}
	if e.Unstick == "" {
		e.Unstick = postgres.UnstickHint(e.Reason, e.Who)
	}
	s.stuck = append(s.stuck, e)
}

// AddSearchResult adds an application search finds (for any query it matches: id, reference,
// setting name or applicant name, ignoring case).
func (s *Store) AddSearchResult(r postgres.SearchResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.search = append(s.search, r)
}

// AddAudit adds an audit line (of l.TenantID); its ID is its order.
func (s *Store) AddAudit(l postgres.AuditLine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l.ID = int64(len(s.audit) + 1)
	s.audit = append(s.audit, l)
}

// AddEmail adds an email of an application's outbox.
func (s *Store) AddEmail(tenantID, applicationID string, e postgres.SentEmail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := tenantID + "|" + applicationID
	s.emails[k] = append(s.emails[k], e)
}

// SetRoster sets a tenant's roster (assessors and moderators: their Roles say which).
func (s *Store) SetRoster(tenantID string, roster []postgres.AssessorProfile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roster[tenantID] = slices.Clone(roster)
}

// SetPreviousAssessor names the assessor of a setting's previous cycle.
func (s *Store) SetPreviousAssessor(tenantID, settingID, personID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.previous[tenantID+"|"+settingID] = personID
}

// SetDashboard sets what Dashboard answers for a tenant (its period is the one asked).
func (s *Store) SetDashboard(tenantID string, d postgres.Dashboard) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dashboard[tenantID] = d
}

// SetReport sets what Report answers for a tenant (its period is the one asked).
func (s *Store) SetReport(tenantID string, r postgres.Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.report[tenantID] = r
}

func (s *Store) failed(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail[method]
}

// --- admin.Store ---

// Application is the applications' store's.
func (s *Store) Application(ctx context.Context, tenantID, id string) (postgres.Application, error) {
	return s.Apps.Application(ctx, tenantID, id)
}

// ApplicationsIn is the tenant's applications of these ids, by id.
func (s *Store) ApplicationsIn(ctx context.Context, tenantID string, ids []string) (map[string]postgres.Application, error) {
	out := map[string]postgres.Application{}
	for _, id := range ids {
		if a, err := s.Apps.Application(ctx, tenantID, id); err == nil {
			out[id] = a
		}
	}
	return out, nil
}

// Person is the applications' store's.
func (s *Store) Person(ctx context.Context, tenantID, id string) (postgres.Person, error) {
	return s.Apps.Person(ctx, tenantID, id)
}

// Report answers the tenant's report set by SetReport, for the period asked.
func (s *Store) Report(_ context.Context, tenantID string, from, to time.Time) (postgres.Report, error) {
	if err := s.failed("Report"); err != nil {
		return postgres.Report{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.report[tenantID]
	r.TenantID, r.From, r.To = tenantID, from.Format(time.DateOnly), to.Format(time.DateOnly)
	return r, nil
}

// AuditLog is the filter's lines, oldest first.
func (s *Store) AuditLog(ctx context.Context, f postgres.AuditFilter) ([]postgres.AuditLine, error) {
	out := []postgres.AuditLine{}
	err := s.EachAudit(ctx, f, func(l postgres.AuditLine) error {
		out = append(out, l)
		return nil
	})
	return out, err
}

// EachAudit calls fn with the filter's lines, oldest first.
func (s *Store) EachAudit(_ context.Context, f postgres.AuditFilter, fn func(postgres.AuditLine) error) error {
	if err := s.failed("AuditLog"); err != nil {
		return err
	}
	s.mu.Lock()
	lines := slices.Clone(s.audit)
	s.mu.Unlock()
	n := 0
	for _, l := range lines {
		switch {
		case l.TenantID != f.TenantID:
		case f.ApplicationID != "" && l.ApplicationID != f.ApplicationID:
		case !f.From.IsZero() && l.At.Before(f.From):
		case !f.To.IsZero() && !l.At.Before(f.To):
		default:
			if f.Limit > 0 && n >= f.Limit {
				return nil
			}
			n++
			if err := fn(l); err != nil {
				return err
			}
		}
	}
	return nil
}

// Search finds the results added whose id, reference, setting name or applicant name contains
// q (ignoring case), of the tenant's applications.
func (s *Store) Search(ctx context.Context, tenantID, q string, limit int) ([]postgres.SearchResult, error) {
	if err := s.failed("Search"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.Searched = append(s.Searched, q)
	results := slices.Clone(s.search)
	s.mu.Unlock()
	out := []postgres.SearchResult{}
	lq := strings.ToLower(strings.TrimSpace(q))
	for _, r := range results {
		if _, err := s.Apps.Application(ctx, tenantID, r.ID); err != nil {
			continue
		}
		for _, v := range []string{r.ID, r.SettingReference, r.SettingName, r.ApplicantName} {
			if lq != "" && strings.Contains(strings.ToLower(v), lq) {
				out = append(out, r)
				break
			}
		}
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// ApplicationEmails is the outbox of one application, in the order added.
func (s *Store) ApplicationEmails(_ context.Context, tenantID, applicationID string) ([]postgres.SentEmail, error) {
	if err := s.failed("ApplicationEmails"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.emails[tenantID+"|"+applicationID])
	if out == nil {
		out = []postgres.SentEmail{}
	}
	return out, nil
}

// ApplicationAssignments is the applications' store's.
func (s *Store) ApplicationAssignments(ctx context.Context, tenantID, applicationID string) ([]postgres.Assignment, error) {
	return s.Apps.ApplicationAssignments(ctx, tenantID, applicationID)
}

// StuckFromProjection is the entries added of the tenant's applications, oldest first.
func (s *Store) StuckFromProjection(ctx context.Context, tenantID string, _ time.Time) ([]postgres.StuckEntry, error) {
	if err := s.failed("StuckFromProjection"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	entries := slices.Clone(s.stuck)
	s.mu.Unlock()
	out := []postgres.StuckEntry{}
	for _, e := range entries {
		if _, err := s.Apps.Application(ctx, tenantID, e.ApplicationID); err == nil {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b postgres.StuckEntry) int { return a.Since.Compare(b.Since) })
	return out, nil
}

// ClearActivityProblem deletes the failing-activity entry of this activity.
func (s *Store) ClearActivityProblem(_ context.Context, workflowID, runID, activityID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stuck = slices.DeleteFunc(s.stuck, func(e postgres.StuckEntry) bool {
		return e.WorkflowID == workflowID && e.RunID == runID && e.ActivityID == activityID
	})
	return nil
}

// Record keeps the change in Recorded.
func (s *Store) Record(_ context.Context, c postgres.Change) error {
	if err := s.failed("Record"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Recorded = append(s.Recorded, c)
	return nil
}

// Roster is the tenant's roster.
func (s *Store) Roster(_ context.Context, tenantID string) ([]postgres.AssessorProfile, error) {
	if err := s.failed("Roster"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.roster[tenantID])
	if out == nil {
		out = []postgres.AssessorProfile{}
	}
	return out, nil
}

// Assessor is one person of the tenant's roster.
func (s *Store) Assessor(_ context.Context, tenantID, personID string) (postgres.AssessorProfile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.roster[tenantID] {
		if p.PersonID == personID {
			return p, nil
		}
	}
	return postgres.AssessorProfile{}, fmt.Errorf("%s is not on the roster: %w", personID, postgres.ErrNotFound)
}

// UpsertAssessor sets a roster person's profile (the person must be of the tenant).
func (s *Store) UpsertAssessor(ctx context.Context, tenantID string, p postgres.AssessorProfile) (postgres.AssessorProfile, error) {
	person, err := s.Apps.Person(ctx, tenantID, p.PersonID)
	if err != nil {
		return p, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Name, p.Email, p.Roles = person.Name, person.Email, person.Roles
	for i, q := range s.roster[tenantID] {
		if q.PersonID == p.PersonID {
			p.Open, p.Conflicts = q.Open, q.Conflicts
			s.roster[tenantID][i] = p
			return p, nil
		}
	}
	if p.Conflicts == nil {
		p.Conflicts = []postgres.Conflict{}
	}
	s.roster[tenantID] = append(s.roster[tenantID], p)
	return p, nil
}

// SettingID resolves a setting of the tenant's applications by its id or reference.
func (s *Store) SettingID(ctx context.Context, tenantID, idOrReference string) (string, error) {
	apps, _ := s.Apps.Applications(ctx, postgres.ApplicationFilter{TenantID: tenantID})
	for _, a := range apps {
		if a.SettingID == idOrReference || a.SettingReference == idOrReference {
			return a.SettingID, nil
		}
	}
	return "", fmt.Errorf("no setting %s: %w", idOrReference, postgres.ErrNotFound)
}

// AddConflict declares a roster person's conflict with a setting.
func (s *Store) AddConflict(_ context.Context, tenantID, personID, settingID, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.roster[tenantID] {
		if p.PersonID == personID {
			s.roster[tenantID][i].Conflicts = append(slices.DeleteFunc(slices.Clone(p.Conflicts),
				func(c postgres.Conflict) bool { return c.SettingID == settingID }), postgres.Conflict{SettingID: settingID, Reason: reason})
			return nil
		}
	}
	return fmt.Errorf("no person %s: %w", personID, postgres.ErrNotFound)
}

// RemoveConflict withdraws a declared conflict.
func (s *Store) RemoveConflict(_ context.Context, tenantID, personID, settingID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.roster[tenantID] {
		if p.PersonID == personID {
			n := len(p.Conflicts)
			s.roster[tenantID][i].Conflicts = slices.DeleteFunc(slices.Clone(p.Conflicts), func(c postgres.Conflict) bool { return c.SettingID == settingID })
			if len(s.roster[tenantID][i].Conflicts) < n {
				return nil
			}
		}
	}
	return fmt.Errorf("%s has no declared conflict with setting %s: %w", personID, settingID, postgres.ErrNotFound)
}

// GrantRole gives a person of the tenant a role.
func (s *Store) GrantRole(ctx context.Context, tenantID, personID, role, _ string) (postgres.RoleChange, error) {
	p, err := s.Apps.Person(ctx, tenantID, personID)
	if err != nil {
		return postgres.RoleChange{}, err
	}
	if p.Has(role) {
		return postgres.RoleChange{Person: p}, nil
	}
	p.Roles = append(slices.Clone(p.Roles), role)
	s.Apps.AddPerson(p)
	return postgres.RoleChange{Person: p, Changed: true}, nil
}

// RevokeRole takes a role from a person of the tenant.
func (s *Store) RevokeRole(ctx context.Context, tenantID, personID, role, _ string) (postgres.RoleChange, error) {
	p, err := s.Apps.Person(ctx, tenantID, personID)
	if err != nil {
		return postgres.RoleChange{}, err
	}
	if !p.Has(role) {
		return postgres.RoleChange{Person: p}, nil
	}
	p.Roles = slices.DeleteFunc(slices.Clone(p.Roles), func(r string) bool { return r == role })
	s.Apps.AddPerson(p)
	return postgres.RoleChange{Person: p, Changed: true}, nil
}

// --- the dashboard and allocating by hand ---

// Dashboard answers the tenant's dashboard set by SetDashboard, for the period asked.
func (s *Store) Dashboard(_ context.Context, tenantID string, now, from, to time.Time) (postgres.Dashboard, error) {
	if err := s.failed("Dashboard"); err != nil {
		return postgres.Dashboard{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.DashboardPeriods = append(s.DashboardPeriods, [2]time.Time{from, to})
	d := s.dashboard[tenantID]
	d.GeneratedAt, d.MedianFrom, d.MedianTo = now.UTC(), from.Format(time.DateOnly), to.Format(time.DateOnly)
	return d, nil
}

// Candidates is the tenant's roster people with the assessor role, as allocation sees them for
// the setting (its declared conflict).
func (s *Store) Candidates(_ context.Context, tenantID, settingID string) ([]award.Candidate, error) {
	if err := s.failed("Candidates"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []award.Candidate{}
	for _, p := range s.roster[tenantID] {
		if !slices.Contains(p.Roles, award.RoleAssessor) {
			continue
		}
		c := award.Candidate{PersonID: p.PersonID, Name: p.Name, Active: p.Active, Tracks: p.Tracks, Specialisms: p.Specialisms,
			Capacity: p.Capacity, Open: p.Open}
		if p.LastAllocatedAt != nil {
			c.LastAllocatedAt = *p.LastAllocatedAt
		}
		for _, k := range p.Conflicts {
			if k.SettingID == settingID {
				c.Conflict = k.Reason
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// PreviousAssessor is the setting's previous cycle's assessor set by SetPreviousAssessor.
func (s *Store) PreviousAssessor(_ context.Context, tenantID, settingID, _ string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.previous[tenantID+"|"+settingID], nil
}

// --- admin.Temporal ---

// Temporal answers what the admin service asks Temporal beyond the journeys' status and
// updates (appstest.Temporal): descriptions of workflows (failing activities), an empty list of
// journeys with failing workflow tasks, an empty history, and activity resets.
type Temporal struct {
	mu sync.Mutex
	// Describe is the description of each workflow id (none: NotFound).
	Describe map[string]*workflowservice.DescribeWorkflowExecutionResponse
	// Failing lists the executions whose workflow tasks fail (ListWorkflow's answer).
	Failing []*workflowservice.ListWorkflowExecutionsResponse
	// Resets are the activity resets asked, in order.
	Resets []*workflowservice.ResetActivityRequest
}

// SetDescription sets the description of a workflow id.
func (t *Temporal) SetDescription(workflowID string, d *workflowservice.DescribeWorkflowExecutionResponse) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Describe[workflowID] = d
}

// DescribeWorkflowExecution answers the description set, or NotFound.
func (t *Temporal) DescribeWorkflowExecution(_ context.Context, workflowID, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.Describe[workflowID]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	return d, nil
}

// ListWorkflow answers no failing journeys (or the first of Failing).
func (t *Temporal) ListWorkflow(context.Context, *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.Failing) > 0 {
		return t.Failing[0], nil
	}
	return &workflowservice.ListWorkflowExecutionsResponse{}, nil
}

// GetWorkflowHistory is an empty history.
func (t *Temporal) GetWorkflowHistory(context.Context, string, string, bool, enumspb.HistoryEventFilterType) client.HistoryEventIterator {
	return emptyHistory{}
}

// WorkflowService answers ResetActivity (recorded in Resets); any other call panics.
func (t *Temporal) WorkflowService() workflowservice.WorkflowServiceClient { return service{t: t} }

type emptyHistory struct{}

func (emptyHistory) HasNext() bool { return false }
func (emptyHistory) Next() (*historypb.HistoryEvent, error) {
	return nil, fmt.Errorf("admintest: no history")
}

type service struct {
	workflowservice.WorkflowServiceClient
	t *Temporal
}

func (s service) ResetActivity(_ context.Context, in *workflowservice.ResetActivityRequest, _ ...grpc.CallOption) (*workflowservice.ResetActivityResponse, error) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	s.t.Resets = append(s.t.Resets, in)
	return &workflowservice.ResetActivityResponse{}, nil
}

// Compile-time checks: the fakes are what the service needs.
var (
	_ admin.Store    = (*Store)(nil)
	_ admin.Temporal = (*Temporal)(nil)
)
