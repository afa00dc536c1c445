package journeys

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// fakeStore is the outbox in memory: rows not started, in order, claimed batch by batch.
type fakeStore struct {
	mu      sync.Mutex
	pending []postgres.JourneyStart
	claims  int
	marked  map[string]*postgres.AuditEntry
	failed  map[string]string
}

func newStore(rows ...postgres.JourneyStart) *fakeStore {
	return &fakeStore{pending: rows, marked: map[string]*postgres.AuditEntry{}, failed: map[string]string{}}
}

func (f *fakeStore) PendingJourneyStart(_ context.Context, tenantID, id string) ([]byte, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.pending {
		if r.ApplicationID == id && r.TenantID == tenantID {
			return r.Input, true, nil
		}
	}
	return nil, false, nil
}

func (f *fakeStore) ClaimJourneyStarts(_ context.Context, grace, lease time.Duration, limit int) ([]postgres.JourneyStart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.claims++
	n := min(limit, len(f.pending))
	out := append([]postgres.JourneyStart(nil), f.pending[:n]...)
	f.pending = f.pending[n:] // leased: not claimed again by this sweep
	for i := range out {
		out[i].Attempts++
	}
	return out, nil
}

func (f *fakeStore) MarkJourneyStarted(_ context.Context, id string, audit *postgres.AuditEntry) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.marked[id]; ok {
		return false, nil
	}
	f.marked[id] = audit
	for i, r := range f.pending {
		if r.ApplicationID == id {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			break
		}
	}
	return true, nil
}

func (f *fakeStore) JourneyStartFailed(_ context.Context, id, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed[id] = reason
	return nil
}

// fakeTemporal records the starts and answers with errs[workflow id].
type fakeTemporal struct {
	mu     sync.Mutex
	starts []client.StartWorkflowOptions
	inputs []workflows.ApplicationInput
	errs   map[string]error
}

func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, o)
	f.inputs = append(f.inputs, args[0].(workflows.ApplicationInput))
	return nil, f.errs[o.ID]
}

func row(t *testing.T, id string) postgres.JourneyStart {
	t.Helper()
	raw, err := EncodeInput(workflows.ApplicationInput{ApplicationID: id, TenantID: "ten_1", SettingReference: "ref-" + id,
		SettingName: "Oakfield " + id, Track: "caring_schools", Variant: "primary"})
	if err != nil {
		t.Fatal(err)
	}
	return postgres.JourneyStart{ApplicationID: id, TenantID: "ten_1", Input: raw, CreatedAt: time.Now().Add(-time.Minute)}
}

func TestSweepStartsEachJourneyByItsIDIdempotentlyAndMarksIt(t *testing.T) {
	store := newStore(row(t, "app_ok"), row(t, "app_closed"), row(t, "app_down"))
	bad := row(t, "app_bad")
	bad.Input = []byte(`{"ApplicationID":`)
	store.pending = append(store.pending, bad)
	tmp := &fakeTemporal{errs: map[string]error{
		// A journey that ran and closed: refused as a duplicate, which means started.
		workflows.WorkflowID("app_closed"): serviceerror.NewWorkflowExecutionAlreadyStarted("already", "", "run-1"),
		workflows.WorkflowID("app_down"):   errors.New("connection refused"),
	}}
	sw := &Sweeper{Starter: Starter{DB: store, Temporal: tmp}}
	res, err := sw.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Started != 2 || res.Failed != 2 {
		t.Errorf("result %+v, want 2 started and 2 failed", res)
	}
	// Every start uses the application's id, refuses a second run and answers with a running one.
	if len(tmp.starts) != 3 {
		t.Fatalf("%d starts, want 3 (not the unreadable input)", len(tmp.starts))
	}
	for i, o := range tmp.starts {
		if o.ID != workflows.WorkflowID(tmp.inputs[i].ApplicationID) || o.TaskQueue != workflows.TaskQueue ||
			o.WorkflowIDReusePolicy != enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
			o.WorkflowIDConflictPolicy != enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING || o.WorkflowExecutionErrorWhenAlreadyStarted {
			t.Errorf("start options %+v", o)
		}
	}
	if tmp.inputs[0].SettingName != "Oakfield app_ok" {
		t.Errorf("the stored input was not what started the journey: %+v", tmp.inputs[0])
	}
	for _, id := range []string{"app_ok", "app_closed"} {
		a := store.marked[id]
		if a == nil || a.Actor != "system" || a.Action != "journey_started_late" || a.Detail["by"] != BySweeper ||
			a.Detail["attempt"] != 1 || a.DedupeKey != "journey-started-late/"+id || a.TenantID != "ten_1" {
			t.Errorf("%s marked with audit %+v", id, a)
		}
	}
	if _, ok := store.marked["app_down"]; ok {
		t.Error("a journey whose start failed was marked started")
	}
	if !strings.Contains(store.failed["app_down"], "connection refused") {
		t.Errorf("the failed start's error was not recorded: %q", store.failed["app_down"])
	}
	if !strings.Contains(store.failed["app_bad"], "cannot be read") {
		t.Errorf("the unreadable input's error was not recorded: %q", store.failed["app_bad"])
	}
}

func TestSweepClaimsAgainWhileBatchesComeBackFull(t *testing.T) {
	var rows []postgres.JourneyStart
	for _, id := range []string{"a1", "a2", "a3", "a4", "a5"} {
		rows = append(rows, row(t, id))
	}
	store := newStore(rows...)
	tmp := &fakeTemporal{errs: map[string]error{workflows.WorkflowID("a2"): errors.New("unavailable")}}
	sw := &Sweeper{Starter: Starter{DB: store, Temporal: tmp}, Batch: 2}
	res, err := sw.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Batches of 2, 2, 1: the last, not full, ends the sweep even though one start failed.
	if res.Started != 4 || res.Failed != 1 || store.claims != 3 {
		t.Errorf("result %+v after %d claims", res, store.claims)
	}
}

func TestEnsureStartsOnlyARegistrationStillWaiting(t *testing.T) {
	store := newStore(row(t, "app_wait"))
	tmp := &fakeTemporal{}
	s := Starter{DB: store, Temporal: tmp}
	started, err := s.Ensure(context.Background(), "ten_1", "app_wait", "per_admin", ByRetry)
	if err != nil || !started {
		t.Fatalf("started %v, err %v", started, err)
	}
	if a := store.marked["app_wait"]; a == nil || a.Actor != "per_admin" || a.Detail["by"] != ByRetry {
		t.Errorf("audit %+v", a)
	}
	// Now marked, and another tenant's id is not this tenant's: nothing to start either way.
	for _, c := range []struct{ tenant, id string }{{"ten_1", "app_wait"}, {"ten_2", "app_wait"}, {"ten_1", "app_old"}} {
		started, err := s.Ensure(context.Background(), c.tenant, c.id, "per_admin", ByRetry)
		if err != nil || started {
			t.Errorf("%+v: started %v, err %v", c, started, err)
		}
	}
	if len(tmp.starts) != 1 {
		t.Errorf("%d starts, want 1", len(tmp.starts))
	}
}

func TestStopWaitsForTheLoopAndStartRunsItAgain(t *testing.T) {
	store := newStore(row(t, "app_loop"))
	sw := &Sweeper{Starter: Starter{DB: store, Temporal: &fakeTemporal{}}, Every: 5 * time.Millisecond}
	sw.Start()
	sw.Start() // a second Start does nothing
	deadline := time.Now().Add(5 * time.Second)
	for {
		store.mu.Lock()
		_, done := store.marked["app_loop"]
		store.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background sweeper did not start the journey")
		}
		time.Sleep(5 * time.Millisecond)
	}
	sw.Stop()
	store.mu.Lock()
	claims := store.claims
	store.mu.Unlock()
	time.Sleep(30 * time.Millisecond)
	if store.claims != claims {
		t.Error("the sweeper kept sweeping after Stop")
	}
	sw.Stop() // a second Stop does nothing
	sw.Start()
	sw.Stop()
}
