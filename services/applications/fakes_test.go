package applications

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"awardengine/award"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// fakeStore is the service's PostgreSQL: applications and people by tenant, and what was
// registered. Methods a test does not expect panic through the nil embedded Store.
type fakeStore struct {
	Store
	mu           sync.Mutex
	apps         map[string]postgres.Application // by id
	people       map[string]award.Person         // by email
	registered   []postgres.Registration
	registerErr  error
	applicantErr error
	owed         map[string]bool
	assignments  map[string][]postgres.Assignment // by application id
}

func newFakeStore() *fakeStore {
	return &fakeStore{apps: map[string]postgres.Application{}, people: map[string]award.Person{}, owed: map[string]bool{},
		assignments: map[string][]postgres.Assignment{}}
}

func (f *fakeStore) ApplicationAssignments(_ context.Context, _, applicationID string) ([]postgres.Assignment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.assignments[applicationID], nil
}

func (f *fakeStore) Application(_ context.Context, tenantID, id string) (postgres.Application, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.apps[id]
	if !ok || a.TenantID != tenantID {
		return postgres.Application{}, fmt.Errorf("application %q: %w", id, postgres.ErrNotFound)
	}
	return a, nil
}

func (f *fakeStore) TenantSettings(_ context.Context, _ string, def award.Settings) (award.Settings, error) {
	return def, nil
}

func (f *fakeStore) CurrentFramework(_ context.Context, variant string, out any) error {
	fw := out.(*award.Framework)
	*fw = award.Framework{ID: "fw-" + variant, Version: 1, Title: "Framework", Variant: award.Variant(variant)}
	return nil
}

func (f *fakeStore) EnsureApplicant(_ context.Context, p postgres.Person) (postgres.Person, error) {
	if f.applicantErr != nil {
		return postgres.Person{}, f.applicantErr
	}
	p.ID = "person-invited"
	p.Roles = []string{award.RoleApplicant}
	return p, nil
}

func (f *fakeStore) PersonByEmail(_ context.Context, tenantID, email string) (postgres.Person, error) {
	p, ok := f.people[email]
	if !ok || p.TenantID != tenantID {
		return postgres.Person{}, postgres.ErrNotFound
	}
	return p, nil
}

func (f *fakeStore) Register(_ context.Context, r postgres.Registration, _ bool) error {
	if f.registerErr != nil {
		return f.registerErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registered = append(f.registered, r)
	return nil
}

func (f *fakeStore) MarkJourneyStarted(context.Context, string, *postgres.AuditEntry) (bool, error) {
	return true, nil
}

func (f *fakeStore) JourneyStartOwed(_ context.Context, id string) (bool, error) {
	return f.owed[id], nil
}

func (f *fakeStore) PendingJourneyStart(context.Context, string, string) ([]byte, bool, error) {
	return nil, false, nil
}

// fakeTemporal is the journeys: a status per application, and an answer to every update.
type fakeTemporal struct {
	mu        sync.Mutex
	status    map[string]workflows.Status // by workflow id
	queryErr  error
	updateErr error // returned by UpdateWorkflow
	getErr    error // returned by the update handle's Get
	launchErr error
	updates   []string
	launched  []string
	queries   int
}

func (f *fakeTemporal) queryCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries
}

func newFakeTemporal() *fakeTemporal { return &fakeTemporal{status: map[string]workflows.Status{}} }

func (f *fakeTemporal) setStatus(st workflows.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[workflows.WorkflowID(st.ApplicationID)] = st
}

func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	if f.launchErr != nil {
		return nil, f.launchErr
	}
	in := args[0].(workflows.ApplicationInput)
	f.setStatus(workflows.Status{ApplicationID: in.ApplicationID, TenantID: in.TenantID, Stage: workflows.StageToolkit})
	f.launched = append(f.launched, o.ID)
	return nil, nil
}

func (f *fakeTemporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.updateErr != nil {
		return nil, f.updateErr
	}
	f.updates = append(f.updates, o.UpdateName)
	st, ok := f.status[o.WorkflowID]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	return fakeHandle{st: st, err: f.getErr}, nil
}

func (f *fakeTemporal) QueryWorkflow(_ context.Context, workflowID, _, _ string, _ ...any) (converter.EncodedValue, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries++
	if f.queryErr != nil {
		return nil, f.queryErr
	}
	st, ok := f.status[workflowID]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	return jsonValue{st}, nil
}

// fakeHandle answers an update with the journey's status (or err).
type fakeHandle struct {
	st  workflows.Status
	err error
}

func (h fakeHandle) WorkflowID() string { return workflows.WorkflowID(h.st.ApplicationID) }
func (h fakeHandle) RunID() string      { return "run" }
func (h fakeHandle) UpdateID() string   { return "update" }
func (h fakeHandle) Get(_ context.Context, v any) error {
	if h.err != nil {
		return h.err
	}
	if v == nil {
		return nil
	}
	return jsonValue{h.st}.Get(v)
}

// jsonValue is an encoded value as Temporal's JSON converter would give it back.
type jsonValue struct{ v any }

func (j jsonValue) HasValue() bool { return j.v != nil }
func (j jsonValue) Get(ptr any) error {
	b, err := json.Marshal(j.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, ptr)
}

// fakeObjects hands out links without storage (the form-upload methods are the nil
// embedded Objects': formupload_test.go uses appstest's).
type fakeObjects struct{ Objects }

func (fakeObjects) PresignGet(_ context.Context, key, _ string, ttl time.Duration) (string, time.Time, error) {
	return "https://objects.test/" + key, time.Unix(0, 0).Add(ttl), nil
}

func (fakeObjects) PresignPut(_ context.Context, key, _ string, _ int64, _ string, ttl time.Duration) (objects.PresignedUpload, error) {
	return objects.PresignedUpload{Method: "PUT", URL: "https://objects.test/" + key, ExpiresAt: time.Unix(0, 0).Add(ttl)}, nil
}

func (o fakeObjects) PresignPutOnce(ctx context.Context, key, contentType string, size int64, sha256Hex string, ttl time.Duration) (objects.PresignedUpload, error) {
	return o.PresignPut(ctx, key, contentType, size, sha256Hex, ttl)
}

func newService() (*Service, *fakeStore, *fakeTemporal) {
	db, tc := newFakeStore(), newFakeTemporal()
	return &Service{DB: db, Temporal: tc, Objects: fakeObjects{}}, db, tc
}
