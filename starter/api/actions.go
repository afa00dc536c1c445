package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"awardengine/journeys"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// Routes of admins' actions that unstick a journey (reassign, allocate and withdraw live with
// their stages).
func (s *Server) actionRoutes(authed func(string, personHandler)) {
	authed("POST /v1/applications/{id}/nudge", s.nudge)
	authed("POST /v1/applications/{id}/extend", s.extend)
	authed("POST /v1/applications/{id}/retry", s.retry)
}

// nudge resends the current step's reminder to whoever holds it.
func (s *Server) nudge(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ReasonRequest
	if err := decodeOptional(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Nudge(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

// extend moves the current step's deadline; reminders and escalations move with it.
func (s *Server) extend(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ExtendRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Extend(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

// retry makes Temporal run a failing activity of the journey again now, instead of waiting for
// its next backoff (Temporal's activity reset API), and records who asked. For an application
// whose journey never started (journey_missing on the stuck list: the registering process
// stopped after committing it) it starts the journey from the stored input instead, idempotently,
// and audits the start as the admin's.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.apps().AdminApplication(r.Context(), me, r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx := r.Context()
	started, err := (journeys.Starter{DB: s.DB, Temporal: s.Temporal}).Ensure(ctx, app.TenantID, app.ID, me.ID, journeys.ByRetry)
	if err != nil {
		slog.Warn("an admin's retry could not start a missing journey", "application_id", app.ID, "error", err)
		fail(w, r, &problem{Status: http.StatusServiceUnavailable, Type: "journey-starting", Title: "Journey not started yet",
			Detail: "the journey could not be started just now; the registration is kept and the sweeper keeps trying: try again shortly"})
		return
	}
	if started {
		writeJSON(w, http.StatusOK, map[string]any{"retried": []map[string]any{}, "journey_started": true})
		return
	}
	desc, err := s.Temporal.DescribeWorkflowExecution(ctx, workflows.WorkflowID(app.ID), "")
	if err != nil {
		fail(w, r, err)
		return
	}
	var retried []map[string]any
	for _, pa := range desc.GetPendingActivities() {
		if pa.GetAttempt() < 2 && pa.GetLastFailure() == nil {
			continue // running for the first time: nothing to retry
		}
		_, err := s.Temporal.WorkflowService().ResetActivity(ctx, &workflowservice.ResetActivityRequest{
			Namespace: s.namespace(), Execution: &commonpb.WorkflowExecution{WorkflowId: workflows.WorkflowID(app.ID)},
			Identity: me.ID, Activity: &workflowservice.ResetActivityRequest_Id{Id: pa.GetActivityId()},
		})
		if err != nil {
			fail(w, r, err)
			return
		}
		retried = append(retried, map[string]any{"activity": pa.GetActivityType().GetName(), "attempt": pa.GetAttempt(),
			"last_error": pa.GetLastFailure().GetMessage(), "state": strings.ToLower(strings.TrimPrefix(pa.GetState().String(), "PENDING_ACTIVITY_STATE_"))})
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || len(retried) == 0 {
		fail(w, r, &problem{Status: http.StatusConflict, Type: "nothing-to-retry", Title: "Nothing to retry",
			Detail: "no activity of this application is failing"})
		return
	}
	if err := s.DB.Record(ctx, postgres.Change{Audit: []postgres.AuditEntry{{TenantID: me.TenantID, ApplicationID: app.ID,
		Actor: me.ID, Action: "activity_retried", Detail: map[string]any{"activities": retried}, At: time.Now(),
		DedupeKey: fmt.Sprintf("retry/%s/%d", app.ID, time.Now().UnixNano())}}}); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"retried": retried})
}

func (s *Server) namespace() string {
	if s.Namespace == "" {
		return "awards"
	}
	return s.Namespace
}
