package worker

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// ProblemThreshold is the attempt from which a failing activity is shown on the admins' stuck
// list (SPEC §4: "an activity has failed 3+ times").
const ProblemThreshold = 3

// problemWriteTimeout bounds the bookkeeping of one attempt, so that it never holds up the
// activity's answer to Temporal for long.
const problemWriteTimeout = 5 * time.Second

// problemStore is what the interceptor needs of the database.
type problemStore interface {
	RecordActivityProblem(ctx context.Context, p postgres.ActivityProblem) error
	ClearActivityProblem(ctx context.Context, workflowID, runID, activityID string) error
}

// ProblemRecorder is a worker interceptor that keeps the activity_problems table: a row when
// an attempt fails from the third attempt on, gone once the activity succeeds (or fails for
// good, when there is nothing left to unstick). A data error is the exception: it turns the
// database's refusal of an activity's data into a non-retryable failure (activities.ErrData),
// so that no activity retries it for ever, and records it at once as failed for good, because
// only a person can fix the data. Its own errors are logged and never change the activity's
// outcome.
type ProblemRecorder struct {
	interceptor.WorkerInterceptorBase
	store problemStore
	log   *slog.Logger
}

// NewProblemRecorder returns the interceptor writing to db.
func NewProblemRecorder(db *postgres.DB, log *slog.Logger) *ProblemRecorder {
	if log == nil {
		log = slog.Default()
	}
	return &ProblemRecorder{store: db, log: log}
}

// InterceptActivity implements interceptor.WorkerInterceptor.
func (r *ProblemRecorder) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &problemInbound{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, r: r}
}

type problemInbound struct {
	interceptor.ActivityInboundInterceptorBase
	r *ProblemRecorder
}

func (a *problemInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	err = activities.AsDataFailure(err)
	info := activity.GetInfo(ctx)
	if info.WorkflowExecution.ID == "" {
		return res, err
	}
	if info.IsLocalActivity {
		// A local activity is never pending in Temporal, so only its data error is listed: it
		// fails the step for good, and the stuck list keeps it while the run is open (lean
		// journeys write their steps through the local Record).
		if activities.IsDataFailure(err) {
			a.r.record(ctx, info, err, true)
		}
		return res, err
	}
	switch {
	case err == nil:
		// A row can only exist once an attempt from the third on failed.
		if info.Attempt >= ProblemThreshold {
			a.r.clear(ctx, info)
		}
	case errors.Is(ctx.Err(), context.Canceled):
		// Cancelled with its workflow (or the worker stopping): not a failure of the step.
	case activities.IsDataFailure(err):
		// Nothing will retry it and nothing fixes it by itself: listed at once, for good.
		a.r.record(ctx, info, err, true)
	case finalAttempt(info, err):
		if info.Attempt > ProblemThreshold {
			a.r.clear(ctx, info) // nothing will retry it: the workflow handles the failure
		}
	case info.Attempt >= ProblemThreshold:
		a.r.record(ctx, info, err, false)
	}
	return res, err
}

// finalAttempt says whether Temporal will not retry after this failure.
func finalAttempt(info activity.Info, err error) bool {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		return true
	}
	if p := info.RetryPolicy; p != nil {
		if p.MaximumAttempts > 0 && info.Attempt >= p.MaximumAttempts {
			return true
		}
		if errors.As(err, &appErr) {
			for _, t := range p.NonRetryableErrorTypes {
				if t == appErr.Type() {
					return true
				}
			}
		}
	}
	return false
}

func (r *ProblemRecorder) record(ctx context.Context, info activity.Info, failure error, forGood bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), problemWriteTimeout)
	defer cancel()
	appID, tenant := owner(info.WorkflowExecution.ID)
	err := r.store.RecordActivityProblem(ctx, postgres.ActivityProblem{
		WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID, ActivityID: info.ActivityID,
		ApplicationID: appID, TenantID: tenant, ActivityType: info.ActivityType.Name, Attempt: int(info.Attempt),
		LastError: failure.Error(), ScheduledAt: info.ScheduledTime, FailedAt: time.Now(), FailedForGood: forGood,
	})
	if err != nil {
		r.log.Warn("recording a failing activity for the stuck list", "workflow_id", info.WorkflowExecution.ID,
			"activity", info.ActivityType.Name, "attempt", info.Attempt, "error", err)
	}
}

func (r *ProblemRecorder) clear(ctx context.Context, info activity.Info) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), problemWriteTimeout)
	defer cancel()
	if err := r.store.ClearActivityProblem(ctx, info.WorkflowExecution.ID, info.WorkflowExecution.RunID, info.ActivityID); err != nil {
		r.log.Warn("clearing a failing activity from the stuck list", "workflow_id", info.WorkflowExecution.ID,
			"activity", info.ActivityType.Name, "attempt", info.Attempt, "error", err)
	}
}

// owner reads the application or tenant from a workflow id: "application/<id>" is an
// application's journey (its tenant comes from the projection); "digest/<tenant>/<person>/<day>"
// is a person's daily digest.
func owner(workflowID string) (applicationID, tenantID string) {
	if id, ok := strings.CutPrefix(workflowID, workflows.WorkflowID("")); ok {
		return id, ""
	}
	if rest, ok := strings.CutPrefix(workflowID, "digest/"); ok {
		tenant, _, _ := strings.Cut(rest, "/")
		return "", tenant
	}
	return "", ""
}
