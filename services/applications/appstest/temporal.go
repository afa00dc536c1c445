package appstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workflows"
)

// Update is one update the service sent to a journey.
type Update struct {
	Name          string // workflows.Update*
	ApplicationID string
	Arg           any // the request as sent (workflows.SubmitRequest, workflows.WithdrawRequest, …)
}

// UpdateFunc answers an update: it may change the journey's status st in place (the change is
// kept only when err is nil) and returns the update's result (nil: the status after the change).
type UpdateFunc func(st *workflows.Status, arg any) (result any, err error)

// Temporal is the journeys: a status per application (SetStatus), answered to the "status"
// query, and an answer to every update. Updates a test has not configured behave like the
// journey in the simplest case (see Default), so a page's POST-then-GET shows its change.
type Temporal struct {
	mu       sync.Mutex
	status   map[string]workflows.Status // by application id
	answers  map[string]UpdateFunc       // by update name
	queryErr error
	sendErr  error
	seq      int
	queries  int
	busy     bool

	// Updates are the updates sent, in order (refused ones too).
	Updates []Update
	// Launched are the journeys started (registrations), in order.
	Launched []workflows.ApplicationInput
	// Project, when set, is called with the status after every update that succeeded (New
	// sets it to Store.Project).
	Project func(workflows.Status)
	// LaunchErr, when set, fails every start of a journey (the registration is then left for
	// the sweeper: the service answers "journey starting").
	LaunchErr error
}

// NewTemporal returns a Temporal with no journeys.
func NewTemporal() *Temporal {
	return &Temporal{status: map[string]workflows.Status{}, answers: map[string]UpdateFunc{}}
}

// SetStatus sets (or replaces) the journey status of st.ApplicationID, and projects it (Project)
// as the journey's step that changed it would. Its Missing is worked out as the journey does:
// per level, the standards of st.Framework that apply at that level and have no confirmed
// evidence.
func (t *Temporal) SetStatus(st workflows.Status) {
	st = t.setStatus(st)
	if t.Project != nil {
		t.Project(st)
	}
}

// setStatus is SetStatus without the projection (Fakes.AddApplication seeds both).
func (t *Temporal) setStatus(st workflows.Status) workflows.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	st = withMissing(st)
	t.status[st.ApplicationID] = st
	return st
}

// withMissing sets st.Missing as the journey's status query does, and its deadlines (every
// journey's status has them) when the test gave none.
func withMissing(st workflows.Status) workflows.Status {
	if st.Deadlines == (award.Deadlines{}) {
		st.Deadlines = award.DefaultDeadlines
	}
	covered := map[string]bool{}
	for _, e := range st.Evidence {
		if e.State == activities.EvidenceConfirmed {
			for _, c := range e.Standards {
				covered[c] = true
			}
		}
	}
	st.Missing = map[string][]string{}
	for _, l := range award.AwardLevels() {
		m := []string{}
		for _, s := range st.Framework.Standards {
			if s.From <= l && !covered[s.Code] {
				m = append(m, s.Code)
			}
		}
		st.Missing[l.String()] = m
	}
	return st
}

// Status is the journey status of an application, and whether it has a journey.
func (t *Temporal) Status(applicationID string) (workflows.Status, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.status[applicationID]
	return st, ok
}

// Forget removes an application's journey: Temporal then answers NotFound.
func (t *Temporal) Forget(applicationID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.status, applicationID)
}

// Refuse makes every later update of this name fail with err: the journey's refusal, usually
// Refusal(workflows.ErrMissingEvidence, …), which the service maps to a problem. Nothing changes.
func (t *Temporal) Refuse(name string, err error) {
	t.OnUpdate(name, func(*workflows.Status, any) (any, error) { return nil, err })
}

// Answer makes every later update of this name succeed with result (nothing changes).
func (t *Temporal) Answer(name string, result any) {
	t.OnUpdate(name, func(*workflows.Status, any) (any, error) { return result, nil })
}

// OnUpdate answers every later update of this name with fn (nil: the default again).
func (t *Temporal) OnUpdate(name string, fn UpdateFunc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fn == nil {
		delete(t.answers, name)
		return
	}
	t.answers[name] = fn
}

// Busy makes every later status query wait until its context ends, as a journey busy with a
// long step does (false: answered at once again).
func (t *Temporal) Busy(busy bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.busy = busy
}

// FailQuery makes every later status query fail with err (nil clears it).
func (t *Temporal) FailQuery(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.queryErr = err
}

// FailSend makes every later UpdateWorkflow call fail with err before any update reaches a
// journey (Temporal unreachable, or refusing the request itself); nil clears it.
func (t *Temporal) FailSend(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sendErr = err
}

// Sent is the updates of this name sent so far.
func (t *Temporal) Sent(name string) []Update {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Update
	for _, u := range t.Updates {
		if u.Name == name {
			out = append(out, u)
		}
	}
	return out
}

// --- applications.Temporal ---

// ExecuteWorkflow starts an application's journey at the toolkit stage.
func (t *Temporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.LaunchErr != nil {
		return nil, t.LaunchErr
	}
	in, ok := args[0].(workflows.ApplicationInput)
	if !ok {
		return nil, fmt.Errorf("appstest: ExecuteWorkflow with %T", args[0])
	}
	if _, running := t.status[in.ApplicationID]; running {
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("already started", "", "run")
	}
	t.Launched = append(t.Launched, in)
	ev := slices.Clone(in.Carried)
	if ev == nil {
		ev = []activities.Evidence{}
	}
	t.status[in.ApplicationID] = withMissing(workflows.Status{ApplicationID: in.ApplicationID, TenantID: in.TenantID,
		SettingReference: in.SettingReference, SettingName: in.SettingName, Track: in.Track, Variant: in.Variant,
		Framework: in.Framework, Stage: workflows.StageToolkit, RegisteredAt: Time, Evidence: ev,
		Missing: map[string][]string{}, Previous: in.Previous,
		Next: workflows.NextStep{Action: "open the toolkit", Who: award.RoleApplicant}})
	return nil, nil
}

// UpdateWorkflow runs the update's answer against the journey's status.
func (t *Temporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sendErr != nil {
		return nil, t.sendErr
	}
	id := applicationIDOf(o.WorkflowID)
	var arg any
	if len(o.Args) > 0 {
		arg = o.Args[0]
	}
	t.Updates = append(t.Updates, Update{Name: o.UpdateName, ApplicationID: id, Arg: arg})
	st, ok := t.status[id]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	fn := t.answers[o.UpdateName]
	if fn == nil {
		fn = t.defaultAnswer(o.UpdateName)
	}
	next := cloneStatus(st)
	result, err := fn(&next, arg)
	if err != nil {
		return handle{id: o.WorkflowID, err: err}, nil
	}
	next = withMissing(next)
	t.status[id] = next
	if t.Project != nil {
		t.Project(next)
	}
	if result == nil {
		result = next
	}
	return handle{id: o.WorkflowID, result: result}, nil
}

// Queries is how many queries were sent to the journeys so far (answered or not): what a read
// costs the journeys.
func (t *Temporal) Queries() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.queries
}

// QueryWorkflow answers the "status" query.
func (t *Temporal) QueryWorkflow(ctx context.Context, workflowID, _, queryType string, _ ...any) (converter.EncodedValue, error) {
	t.mu.Lock()
	t.queries++
	if t.busy {
		// A busy journey answers once its current step is done: here, never.
		t.mu.Unlock()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	defer t.mu.Unlock()
	if t.queryErr != nil {
		return nil, t.queryErr
	}
	if queryType != workflows.QueryStatus {
		return nil, fmt.Errorf("appstest: unknown query %q", queryType)
	}
	st, ok := t.status[applicationIDOf(workflowID)]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	return value{st}, nil
}

// Default is how the fake journey answers an update nobody configured, in the simplest case of
// the real one (no validation): open_toolkit records the opening (toolkit → portfolio);
// add_evidence declares a pending item ("ev-1", …) and answers it; confirm_evidence confirms
// it; add_evidence_batch and confirm_evidence_batch do the same item by item (an unknown id
// refuses the confirm batch); map_evidence sets its standards; remove_evidence removes it;
// submit moves to awaiting_allocation with the target level (refused, as the journey refuses it, at a stage
// past the portfolio or with standards of that level missing evidence); withdraw moves to
// withdrawn (refused once the journey has ended). Every other update
// changes nothing and answers the status.
func (t *Temporal) defaultAnswer(name string) UpdateFunc {
	item := func(st *workflows.Status, id string) (*activities.Evidence, error) {
		for i := range st.Evidence {
			if st.Evidence[i].ID == id && st.Evidence[i].State != activities.EvidenceRemoved {
				return &st.Evidence[i], nil
			}
		}
		return nil, Refusal(workflows.ErrNotFound, "no evidence "+id)
	}
	switch name {
	case workflows.UpdateOpenToolkit:
		return func(st *workflows.Status, _ any) (any, error) {
			if st.ToolkitOpenedAt == nil {
				st.ToolkitOpenedAt = Ptr(Time)
			}
			if st.Stage == workflows.StageToolkit {
				st.Stage = workflows.StagePortfolio
			}
			return nil, nil
		}
	case workflows.UpdateAddEvidence:
		return func(st *workflows.Status, arg any) (any, error) {
			r, _ := arg.(workflows.AddEvidenceRequest)
			t.seq++
			id := fmt.Sprintf("ev-%d", t.seq)
			e := activities.Evidence{ID: id, ObjectKey: workflows.EvidenceObjectKey(st.TenantID, st.ApplicationID, id), Filename: r.Filename,
				ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Standards: r.Standards, Note: r.Note,
				State: activities.EvidencePending, CreatedBy: r.Actor.ID, CreatedAt: Time}
			st.Evidence = append(st.Evidence, e)
			return e, nil
		}
	case workflows.UpdateConfirmUpload:
		return func(st *workflows.Status, arg any) (any, error) {
			r, _ := arg.(workflows.EvidenceRequest)
			e, err := item(st, r.EvidenceID)
			if err != nil {
				return nil, err
			}
			e.State, e.ConfirmedAt = activities.EvidenceConfirmed, Ptr(Time)
			st.PortfolioBytes += e.Size
			return *e, nil
		}
	case workflows.UpdateAddEvidenceBatch:
		return func(st *workflows.Status, arg any) (any, error) {
			r, _ := arg.(workflows.AddEvidenceBatchRequest)
			add := t.defaultAnswer(workflows.UpdateAddEvidence)
			out := []activities.Evidence{}
			for _, it := range r.Items {
				it.Actor = r.Actor
				e, _ := add(st, it)
				out = append(out, e.(activities.Evidence))
			}
			return out, nil
		}
	case workflows.UpdateConfirmBatch:
		return func(st *workflows.Status, arg any) (any, error) {
			r, _ := arg.(workflows.ConfirmBatchRequest)
			for _, id := range r.EvidenceIDs {
				if _, err := item(st, id); err != nil {
					return nil, err
				}
			}
			confirm := t.defaultAnswer(workflows.UpdateConfirmUpload)
			out := workflows.ConfirmBatchResult{}
			for _, id := range r.EvidenceIDs {
				e, _ := confirm(st, workflows.EvidenceRequest{Actor: r.Actor, EvidenceID: id})
				out.Items = append(out.Items, workflows.ConfirmItemResult{EvidenceID: id, Confirmed: true, Evidence: e.(activities.Evidence)})
			}
			return out, nil
		}
	case workflows.UpdateMapEvidence:
		return func(st *workflows.Status, arg any) (any, error) {
			r, _ := arg.(workflows.MapEvidenceRequest)
			e, err := item(st, r.EvidenceID)
			if err != nil {
				return nil, err
			}
			e.Standards = slices.Clone(r.Standards)
			return *e, nil
		}
	case workflows.UpdateRemoveEvidence:
		return func(st *workflows.Status, arg any) (any, error) {
			r, _ := arg.(workflows.EvidenceRequest)
			e, err := item(st, r.EvidenceID)
			if err != nil {
				return nil, err
			}
			if e.State == activities.EvidenceConfirmed {
				st.PortfolioBytes -= e.Size
			}
			e.State, e.RemovedAt = activities.EvidenceRemoved, Ptr(Time)
			return nil, nil
		}
	case workflows.UpdateSubmit:
		return func(st *workflows.Status, arg any) (any, error) {
			r, _ := arg.(workflows.SubmitRequest)
			if !st.Stage.AcceptsEvidence() {
				return nil, Refusal(workflows.ErrWrongStage, "cannot submit at stage "+string(st.Stage))
			}
			if missing := withMissing(*st).Missing[r.TargetLevel.String()]; len(missing) > 0 {
				return nil, Refusal(workflows.ErrMissingEvidence, "cannot submit for "+r.TargetLevel.String()+
					": these standards have no confirmed evidence: "+strings.Join(missing, ", "), missing)
			}
			st.Stage, st.TargetLevel, st.SubmittedAt = workflows.StageAwaitingAllocation, r.TargetLevel.String(), Ptr(Time)
			st.Next = workflows.NextStep{Action: "allocate an assessor", Who: award.RoleAdmin}
			for i := range st.Evidence {
				if st.Evidence[i].State == activities.EvidenceConfirmed {
					st.Evidence[i].Immutable = true
				}
			}
			if st.Assessment == nil {
				st.Assessment = &workflows.Assessment{}
			}
			return nil, nil
		}
	case workflows.UpdateWithdraw:
		return func(st *workflows.Status, _ any) (any, error) {
			if st.Stage.Closed() {
				return nil, Refusal(workflows.ErrWrongStage, "cannot withdraw at stage "+string(st.Stage))
			}
			st.Stage, st.Next = workflows.StageWithdrawn, workflows.NextStep{}
			return nil, nil
		}
	}
	return func(*workflows.Status, any) (any, error) { return nil, nil }
}

// cloneStatus copies the parts of a status an update changes in place.
func cloneStatus(st workflows.Status) workflows.Status {
	st.Evidence = slices.Clone(st.Evidence)
	for i := range st.Evidence {
		st.Evidence[i].Standards = slices.Clone(st.Evidence[i].Standards)
	}
	if st.Assessment != nil {
		a := *st.Assessment
		st.Assessment = &a
	}
	return st
}

// handle is an update's outcome: its result or the journey's error.
type handle struct {
	id     string
	result any
	err    error
}

func (h handle) WorkflowID() string { return h.id }
func (h handle) RunID() string      { return "run" }
func (h handle) UpdateID() string   { return "update" }
func (h handle) Get(_ context.Context, ptr any) error {
	if h.err != nil {
		return h.err
	}
	return jsonInto(h.result, ptr)
}

// value is an encoded value as Temporal's JSON converter gives it back.
type value struct{ v any }

func (v value) HasValue() bool    { return v.v != nil }
func (v value) Get(ptr any) error { return jsonInto(v.v, ptr) }

// applicationIDOf is the application of a workflow id (workflows.WorkflowID's inverse).
func applicationIDOf(workflowID string) string {
	return strings.TrimPrefix(workflowID, workflows.WorkflowID(""))
}
