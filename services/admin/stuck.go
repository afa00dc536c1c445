package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// The admins' stuck list (SPEC §4): every application of the tenant that waits on something
// that will not happen by itself, with its reason, since when, who holds it and what would
// unstick it. PostgreSQL knows overdue steps, flags, bounced addresses, the activities the
// worker saw failing and registrations whose journey has not started (journey_missing: retry
// starts it); Temporal knows what is failing right now (each failing activity's current
// attempt, last error and next retry) and which journeys' workflow tasks fail.

// stuckLookups bounds the Temporal calls of one stuck list running at once.
const stuckLookups = 8

// stuckDetails bounds the workflows one stuck list looks up one by one in Temporal (an email
// outage or a bad deploy can make every journey fail at once); the rest are listed as known.
const stuckDetails = 100

// stuckTimeout bounds the whole list: an unanswering Temporal leaves the PostgreSQL part.
const stuckTimeout = 20 * time.Second

// Stuck is the tenant's stuck list, oldest first. What Temporal cannot tell just now is said in
// the answer's warnings: the PostgreSQL part is always there.
func (s *Service) Stuck(ctx context.Context, me award.Person) (structs.StuckList, error) {
	if !me.Has(award.RoleAdmin) {
		return structs.StuckList{}, structs.Forbidden("only your award team's admins see the stuck list")
	}
	ctx, cancel := context.WithTimeout(ctx, stuckTimeout)
	defer cancel()
	now := time.Now().UTC()
	entries, err := s.DB.StuckFromProjection(ctx, me.TenantID, now)
	if err != nil {
		return structs.StuckList{}, err
	}
	entries, warnings, err := s.checkFailingActivities(ctx, entries)
	if err != nil {
		warnings = append(warnings, "could not check failing activities with Temporal (shown as last recorded): "+err.Error())
	}
	tasks, more, err := s.failingWorkflowTasks(ctx, me.TenantID, now)
	warnings = append(warnings, more...)
	if err != nil {
		warnings = append(warnings, "could not list failing workflow tasks from Temporal: "+err.Error())
	}
	entries = append(entries, tasks...)
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if !a.Since.Equal(b.Since) {
			return a.Since.Before(b.Since)
		}
		if a.ApplicationID != b.ApplicationID {
			return a.ApplicationID < b.ApplicationID
		}
		return a.Reason < b.Reason
	})
	out := structs.StuckList{Stuck: make([]structs.StuckEntry, 0, len(entries)), CheckedAt: now, Warnings: warnings}
	for _, e := range entries {
		age := max(now.Sub(e.Since), 0)
		out.Stuck = append(out.Stuck, structs.StuckEntry{StuckReason: e, Age: humanAge(age), AgeSeconds: int64(age / time.Second)})
	}
	return out, nil
}

// checkFailingActivities replaces what the worker recorded of each failing activity with what
// Temporal says now: the current attempt, the last failure and the next retry. A recorded
// activity that is no longer pending (it succeeded, or its journey moved on) is dropped and its
// row deleted. An activity that failed for good on a data error is never pending: it stays
// listed, as recorded, while its run is open, and goes once the run has ended (an engineer's
// reset of the journey ends it). When Temporal cannot be asked, the recorded entries stay and
// an error says so.
func (s *Service) checkFailingActivities(ctx context.Context, entries []postgres.StuckEntry) ([]postgres.StuckEntry, []string, error) {
	type run struct{ workflowID, runID string }
	var runs []run
	seen := map[run]bool{}
	for _, e := range entries {
		k := run{e.WorkflowID, e.RunID}
		if (e.Reason == postgres.StuckActivityFailing || e.Reason == postgres.StuckDataError) && !seen[k] {
			seen[k] = true
			runs = append(runs, k)
		}
	}
	if len(runs) == 0 {
		return entries, nil, nil
	}
	type answer struct {
		pending map[string]*workflowpb.PendingActivityInfo // by activity id
		open    bool                                       // the run is still running
		err     error
	}
	var warnings []string
	if len(runs) > stuckDetails {
		warnings = append(warnings, fmt.Sprintf("%d workflows have failing activities: the first %d were checked with Temporal, the rest are shown as last recorded",
			len(runs), stuckDetails))
		runs = runs[:stuckDetails]
	}
	answers := make(map[run]answer, len(runs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, stuckLookups)
	for _, k := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a := answer{pending: map[string]*workflowpb.PendingActivityInfo{}}
			desc, err := s.Temporal.DescribeWorkflowExecution(ctx, k.workflowID, k.runID)
			var nf *serviceerror.NotFound
			switch {
			case errors.As(err, &nf):
				// The run is gone (retention): nothing is pending.
			case err != nil:
				a = answer{err: err}
			default:
				a.open = desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
				for _, pa := range desc.GetPendingActivities() {
					a.pending[pa.GetActivityId()] = pa
				}
			}
			mu.Lock()
			answers[k] = a
			mu.Unlock()
		}()
	}
	wg.Wait()

	out := make([]postgres.StuckEntry, 0, len(entries))
	var firstErr error
	for _, e := range entries {
		if e.Reason != postgres.StuckActivityFailing && e.Reason != postgres.StuckDataError {
			out = append(out, e)
			continue
		}
		a, asked := answers[run{e.WorkflowID, e.RunID}]
		if e.Reason == postgres.StuckDataError {
			if asked && a.err == nil && !a.open {
				s.clearProblem(ctx, e) // the run has ended: nothing of it is left to fix
				continue
			}
			if a.err != nil && firstErr == nil {
				firstErr = a.err
			}
			out = append(out, e)
			continue
		}
		if !asked || a.err != nil {
			if a.err != nil && firstErr == nil {
				firstErr = a.err
			}
			e.Detail = fmt.Sprintf("%s: attempt %d failed (as last recorded)", e.ActivityType, e.Attempt)
			out = append(out, e)
			continue
		}
		pa, ok := a.pending[e.ActivityID]
		if !ok || pa.GetLastFailure() == nil || pa.GetAttempt() <= 1 {
			// Succeeded or moved on since the worker wrote the row: it is stale.
			s.clearProblem(ctx, e)
			continue
		}
		failures := int(pa.GetAttempt()) - 1
		if failures < 3 {
			// Temporal's count restarted (e.g. the activity was reset): not stuck by the rule.
			continue
		}
		e.Attempt = int(pa.GetAttempt())
		lf := s.decoded(pa.GetLastFailure())
		e.LastError = failureMessage(lf.GetMessage(), lf.GetCause().GetMessage())
		if t := pa.GetNextAttemptScheduleTime(); t != nil && t.IsValid() {
			next := t.AsTime()
			e.NextRetry = &next
		}
		if name := pa.GetActivityType().GetName(); name != "" {
			e.ActivityType = name
		}
		e.Detail = fmt.Sprintf("%s has failed %d times", e.ActivityType, failures)
		switch {
		case pa.GetPaused():
			e.Detail += " (paused)"
		case pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED:
			e.Detail += fmt.Sprintf("; attempt %d is running", e.Attempt)
		}
		out = append(out, e)
	}
	return out, warnings, firstErr
}

// clearProblem deletes the row of an entry that is no longer true.
func (s *Service) clearProblem(ctx context.Context, e postgres.StuckEntry) {
	if err := s.DB.ClearActivityProblem(ctx, e.WorkflowID, e.RunID, e.ActivityID); err != nil {
		slog.Warn("deleting a stale failing-activity row", "workflow_id", e.WorkflowID, "activity_id", e.ActivityID, "error", err)
	}
}

func failureMessage(msg, cause string) string {
	if cause != "" && !strings.Contains(msg, cause) {
		return msg + ": " + cause
	}
	return msg
}

// failingWorkflowTasks lists the tenant's journeys whose workflow tasks keep failing or timing
// out (for example a non-determinism error after a deploy): Temporal sets the system search
// attribute TemporalReportedProblems on them after a few consecutive problems.
func (s *Service) failingWorkflowTasks(ctx context.Context, tenantID string, now time.Time) ([]postgres.StuckEntry, []string, error) {
	query := fmt.Sprintf("%s = %s AND ExecutionStatus = 'Running' AND TemporalReportedProblems IN ('category=WorkflowTaskFailed', 'category=WorkflowTaskTimedOut')",
		workflows.SearchTenant.GetName(), quoteVisibility(tenantID))
	var execs []*workflowpb.WorkflowExecutionInfo
	var token []byte
	for {
		resp, err := s.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token, PageSize: 1000})
		if err != nil {
			return nil, nil, err
		}
		execs = append(execs, resp.GetExecutions()...)
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	// The projection confirms each journey is this tenant's, and names the setting.
	var ids []string
	for _, ex := range execs {
		if id, ok := strings.CutPrefix(ex.GetExecution().GetWorkflowId(), workflows.WorkflowID("")); ok {
			ids = append(ids, id)
		}
	}
	apps, err := s.DB.ApplicationsIn(ctx, tenantID, ids)
	if err != nil {
		return nil, nil, err
	}
	out := []postgres.StuckEntry{}
	var warnings []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	sem := make(chan struct{}, stuckLookups)
	looked := 0
	for _, ex := range execs {
		wid, rid := ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()
		appID, _ := strings.CutPrefix(wid, workflows.WorkflowID(""))
		app, ok := apps[appID]
		if !ok {
			continue
		}
		e := failingTaskEntry(app, wid, rid, problemsOf(ex), now)
		if looked++; looked > stuckDetails {
			// A bad deploy can break every journey at once: list them all, look up the first.
			e.Detail += "; not looked up in Temporal (too many failing at once: see the Temporal Web UI)"
			out = append(out, e)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			e, ok, err := s.failingTask(ctx, e, now)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if ok {
				out = append(out, e)
			}
		}()
	}
	wg.Wait()
	if looked > stuckDetails {
		warnings = append(warnings, fmt.Sprintf("%d journeys have failing workflow tasks: the first %d were looked up in Temporal", looked, stuckDetails))
	}
	return out, warnings, firstErr
}

// failingTaskEntry is what the visibility list and the projection say of a failing journey.
func failingTaskEntry(app postgres.Application, wid, rid string, problems []string, now time.Time) postgres.StuckEntry {
	e := postgres.StuckEntry{
		ApplicationID: app.ID, SettingName: app.SettingName, SettingReference: app.SettingReference, Stage: app.Stage,
		Reason: postgres.StuckWorkflowTaskFailing, Who: postgres.HolderEngineers, HolderName: postgres.HolderLabel(postgres.HolderEngineers),
		Unstick:    postgres.UnstickHint(postgres.StuckWorkflowTaskFailing, postgres.HolderEngineers),
		WorkflowID: wid, RunID: rid, Since: now,
		Detail:    "the journey's workflow task keeps failing, so nothing happens for this application",
		LastError: "workflow task failing",
	}
	if len(problems) > 0 {
		e.Detail += " (" + strings.Join(problems, ", ") + ")"
		e.LastError += " (" + strings.Join(problems, ", ") + ")"
	}
	return e
}

// failingTask completes the entry of one journey whose workflow task fails: the attempt from
// the pending workflow task, the last failure (and since when) from the history.
func (s *Service) failingTask(ctx context.Context, e postgres.StuckEntry, now time.Time) (postgres.StuckEntry, bool, error) {
	wid, rid := e.WorkflowID, e.RunID
	desc, err := s.Temporal.DescribeWorkflowExecution(ctx, wid, rid)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return e, false, nil
		}
		return e, true, err
	}
	if wt := desc.GetPendingWorkflowTask(); wt != nil {
		e.Attempt = int(wt.GetAttempt())
		if t := wt.GetScheduledTime(); t != nil && t.AsTime().After(now) {
			next := t.AsTime()
			e.NextRetry = &next
		}
		if t := wt.GetOriginalScheduledTime(); t != nil && t.IsValid() && !t.AsTime().IsZero() {
			e.Since = t.AsTime()
		}
	}
	// The last failed (or timed out) workflow task in the history: what went wrong and when the
	// failures began (retries of a failing task are not written to the history).
	it := s.Temporal.GetWorkflowHistory(ctx, wid, rid, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var lastError string
	var failedAt time.Time
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			break // the attempt is known; the message is a nicety
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
			f := ev.GetWorkflowTaskFailedEventAttributes()
			lastError = s.decoded(f.GetFailure()).GetMessage()
			if lastError == "" {
				lastError = "workflow task failed: " + f.GetCause().String()
			}
			failedAt = ev.GetEventTime().AsTime()
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
			lastError = "workflow task timed out (" + ev.GetWorkflowTaskTimedOutEventAttributes().GetTimeoutType().String() + ")"
			failedAt = ev.GetEventTime().AsTime()
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			lastError, failedAt = "", time.Time{}
		}
	}
	if lastError != "" {
		e.LastError, e.Since = lastError, failedAt
	}
	return e, true, nil
}

// problemsOf reads the TemporalReportedProblems search attribute of a listed execution.
func problemsOf(ex *workflowpb.WorkflowExecutionInfo) []string {
	p := ex.GetSearchAttributes().GetIndexedFields()["TemporalReportedProblems"]
	if p == nil {
		return nil
	}
	var out []string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &out); err != nil {
		return nil
	}
	return out
}

// quoteVisibility quotes a string for a Temporal visibility query.
func quoteVisibility(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// humanAge says how long something has been stuck, for people.
func humanAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return stuckPlural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return stuckPlural(int(d/time.Hour), "hour")
	}
	days := int(d / (24 * time.Hour))
	switch {
	case days < 60:
		return stuckPlural(days, "day")
	case days < 730:
		return stuckPlural(days/30, "month")
	}
	return stuckPlural(days/365, "year")
}

func stuckPlural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
