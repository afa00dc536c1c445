package admin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"awardengine/award"
	"awardengine/journeys"
	"awardengine/services/applications"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// Retry makes Temporal run a failing activity of the journey again now, instead of waiting for
// its next backoff (Temporal's activity reset API), and records who asked. For an application
// whose journey never started (journey_missing on the stuck list: the registering process
// stopped after committing it) it starts the journey from the stored input instead,
// idempotently, and audits the start as the admin's.
func (s *Service) Retry(ctx context.Context, me award.Person, id string) (structs.RetryAnswer, error) {
	app, err := s.Apps.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.RetryAnswer{}, err
	}
	started, err := (journeys.Starter{DB: s.Apps.DB, Temporal: s.Apps.Temporal}).Ensure(ctx, app.TenantID, app.ID, me.ID, journeys.ByRetry)
	if err != nil {
		slog.Warn("an admin's retry could not start a missing journey", "application_id", app.ID, "error", err)
		return structs.RetryAnswer{}, &structs.Problem{Status: http.StatusServiceUnavailable, Type: applications.TypeJourneyStarting,
			Title:  "Journey not started yet",
			Detail: "the journey could not be started just now; the registration is kept and the sweeper keeps trying: try again shortly"}
	}
	if started {
		return structs.RetryAnswer{Retried: []structs.RetriedActivity{}, JourneyStarted: true}, nil
	}
	desc, err := s.Temporal.DescribeWorkflowExecution(ctx, workflows.WorkflowID(app.ID), "")
	if err != nil {
		return structs.RetryAnswer{}, err
	}
	var retried []structs.RetriedActivity
	for _, pa := range desc.GetPendingActivities() {
		if pa.GetAttempt() < 2 && pa.GetLastFailure() == nil {
			continue // running for the first time: nothing to retry
		}
		_, err := s.Temporal.WorkflowService().ResetActivity(ctx, &workflowservice.ResetActivityRequest{
			Namespace: s.namespace(), Execution: &commonpb.WorkflowExecution{WorkflowId: workflows.WorkflowID(app.ID)},
			Identity: me.ID, Activity: &workflowservice.ResetActivityRequest_Id{Id: pa.GetActivityId()},
		})
		if err != nil {
			return structs.RetryAnswer{}, err
		}
		retried = append(retried, structs.RetriedActivity{Activity: pa.GetActivityType().GetName(), Attempt: pa.GetAttempt(),
			LastError: s.decoded(pa.GetLastFailure()).GetMessage(), State: strings.ToLower(strings.TrimPrefix(pa.GetState().String(), "PENDING_ACTIVITY_STATE_"))})
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || len(retried) == 0 {
		return structs.RetryAnswer{}, structs.Conflict("nothing-to-retry", "Nothing to retry", "no activity of this application is failing")
	}
	if err := s.DB.Record(ctx, postgres.Change{Audit: []postgres.AuditEntry{{TenantID: me.TenantID, ApplicationID: app.ID,
		Actor: me.ID, Action: "activity_retried", Detail: map[string]any{"activities": retried}, At: time.Now(),
		DedupeKey: fmt.Sprintf("retry/%s/%d", app.ID, time.Now().UnixNano())}}}); err != nil {
		return structs.RetryAnswer{}, err
	}
	return structs.RetryAnswer{Retried: retried}, nil
}
