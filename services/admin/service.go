// Package admin is the service behind an award team's admin pages (SPEC §4): reports, the
// audit trail, search, an application's detail, the stuck list, retrying a stuck journey, and
// the assessor roster. Every method takes the acting person first and refuses anyone but the
// tenant's admins; everything is scoped to the admin's tenant, so another tenant's people,
// settings and applications are simply not found. Errors are *structs.Problem or the
// dependency's error, as in services/applications (whose Problem maps them).
package admin

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Store is what the admin service needs of PostgreSQL (*postgres.DB).
type Store interface {
	Application(ctx context.Context, tenantID, id string) (postgres.Application, error)
	ApplicationsIn(ctx context.Context, tenantID string, ids []string) (map[string]postgres.Application, error)
	Person(ctx context.Context, tenantID, id string) (postgres.Person, error)
	Report(ctx context.Context, tenantID string, from, to time.Time) (postgres.Report, error)
	AuditLog(ctx context.Context, f postgres.AuditFilter) ([]postgres.AuditLine, error)
	EachAudit(ctx context.Context, f postgres.AuditFilter, fn func(postgres.AuditLine) error) error
	Search(ctx context.Context, tenantID, q string, limit int) ([]postgres.SearchResult, error)
	ApplicationEmails(ctx context.Context, tenantID, applicationID string) ([]postgres.SentEmail, error)
	ApplicationAssignments(ctx context.Context, tenantID, applicationID string) ([]postgres.Assignment, error)
	StuckFromProjection(ctx context.Context, tenantID string, now time.Time) ([]postgres.StuckEntry, error)
	ClearActivityProblem(ctx context.Context, workflowID, runID, activityID string) error
	Record(ctx context.Context, c postgres.Change) error
	Roster(ctx context.Context, tenantID string) ([]postgres.AssessorProfile, error)
	Assessor(ctx context.Context, tenantID, personID string) (postgres.AssessorProfile, error)
	UpsertAssessor(ctx context.Context, tenantID string, p postgres.AssessorProfile) (postgres.AssessorProfile, error)
	SettingID(ctx context.Context, tenantID, idOrReference string) (string, error)
	AddConflict(ctx context.Context, tenantID, personID, settingID, reason string) error
	RemoveConflict(ctx context.Context, tenantID, personID, settingID string) error
	GrantRole(ctx context.Context, tenantID, personID, role, actor string) (postgres.RoleChange, error)
	RevokeRole(ctx context.Context, tenantID, personID, role, actor string) (postgres.RoleChange, error)
	// The dashboard's counts per stage and flag with the median stays, and the roster as
	// allocation sees it for one setting (allocating by hand).
	Dashboard(ctx context.Context, tenantID string, now, from, to time.Time) (postgres.Dashboard, error)
	Candidates(ctx context.Context, tenantID, settingID string) ([]award.Candidate, error)
	PreviousAssessor(ctx context.Context, tenantID, settingID, currentApplicationID string) (string, error)
}

// Temporal is what the admin service needs of the Temporal client (client.Client): describing
// and listing journeys, their histories, and resetting a failing activity.
type Temporal interface {
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	ListWorkflow(ctx context.Context, request *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
	GetWorkflowHistory(ctx context.Context, workflowID, runID string, isLongPoll bool, filterType enumspb.HistoryEventFilterType) client.HistoryEventIterator
	WorkflowService() workflowservice.WorkflowServiceClient
}

// Service holds the admin service's dependencies.
type Service struct {
	DB       Store
	Temporal Temporal
	// Apps is the applications service: access to one application, its journey and its view.
	Apps *applications.Service
	// Namespace is the journeys' Temporal namespace ("awards" if empty); TemporalUI the Temporal
	// Web UI's base URL linked from an application's detail ("" = no link).
	Namespace  string
	TemporalUI string
	// Payloads decodes the encrypted failure messages Temporal reports (failures.go); nil: as read.
	Payloads converter.DataConverter
}

func (s *Service) namespace() string {
	if s.Namespace == "" {
		return "awards" // the default namespace of config.FromEnv and the dev stack
	}
	return s.Namespace
}

// adminsOnly refuses anyone but an admin, saying what only admins may do.
func adminsOnly(me award.Person, what string) error {
	if !me.Has(award.RoleAdmin) {
		return structs.Forbidden("only your award team's admins " + what)
	}
	return nil
}
