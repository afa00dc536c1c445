// Package journeys starts application journeys so that a registration is never left without one.
//
// Registration writes the application row and the journey's start input in one PostgreSQL
// transaction (the journey_starts outbox), then starts the workflow by its id and marks the row
// started. A process that dies after the commit leaves a marked-not-started row, which the
// Sweeper (running in every worker process) starts from the stored input; the API also starts
// it on demand when someone opens the application, and admins can with retry.
//
// Why the row first and not the workflow first: the row is where the uniqueness rules live
// (one active application per setting, the setting's owner and variant are checked under a row
// lock), so it must decide before anything irreversible happens. Starting the workflow first
// would start journeys that PostgreSQL then refuses (a duplicate that would email a welcome and
// run timers) or need the journey itself to insert its row and undo itself on a conflict, which
// moves the refusal out of the request that could answer 409. With the row first, every start
// is a replay of a committed decision: starting by the application's workflow id with a reuse
// policy that refuses a second run and the conflict policy USE_EXISTING makes it idempotent, so
// the request, the sweeper, an on-demand start and an admin's retry can all try at once and at
// most one journey ever runs.
package journeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Temporal is the part of the Temporal client that starts workflows (client.Client has it).
type Temporal interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
}

// Store is the part of the database the outbox needs (*postgres.DB has it).
type Store interface {
	PendingJourneyStart(ctx context.Context, tenantID, applicationID string) ([]byte, bool, error)
	ClaimJourneyStarts(ctx context.Context, grace, lease time.Duration, limit int) ([]postgres.JourneyStart, error)
	MarkJourneyStarted(ctx context.Context, applicationID string, audit *postgres.AuditEntry) (bool, error)
	JourneyStartFailed(ctx context.Context, applicationID, reason string) error
}

// StartTimeout bounds one attempt to start a journey: the registering request answers 202 and
// leaves the start to the sweeper rather than hold the person longer.
const StartTimeout = 10 * time.Second

// EncodeInput is the journey's start input as stored in the outbox: the same JSON that
// Temporal's default data converter sends, so a journey started from the outbox starts with
// exactly what the registering request would have sent.
func EncodeInput(in workflows.ApplicationInput) ([]byte, error) {
	return json.Marshal(in)
}

// DecodeInput reads a stored start input back.
func DecodeInput(raw []byte) (workflows.ApplicationInput, error) {
	var in workflows.ApplicationInput
	if len(raw) == 0 {
		return in, errors.New("the stored start input is empty")
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return in, fmt.Errorf("the stored start input cannot be read: %w", err)
	}
	if in.ApplicationID == "" || in.TenantID == "" {
		return in, errors.New("the stored start input names no application or tenant")
	}
	return in, nil
}

// StartOptions are the options every start of a journey uses: its id is the application's, a
// second run of that id is refused (REJECT_DUPLICATE) and starting one that runs answers with the
// running one (USE_EXISTING), so starting twice starts once.
func StartOptions(in workflows.ApplicationInput) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       workflows.WorkflowID(in.ApplicationID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// An "already started" answer (a journey that ran and closed) returns that run, not an error.
		WorkflowExecutionErrorWhenAlreadyStarted: false,
		TypedSearchAttributes:                    workflows.StartSearchAttributes(in),
	}
}

// Launch starts the application's journey, or finds it already started (running or closed):
// both are success.
func Launch(ctx context.Context, t Temporal, in workflows.ApplicationInput) error {
	_, err := t.ExecuteWorkflow(ctx, StartOptions(in), workflows.ApplicationWorkflow, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return nil
	}
	return err
}

// How a late start came about, for the audit trail.
const (
	BySweeper   = "sweeper"     // the sweeper found it after the grace
	ByRetry     = "admin_retry" // an admin's retry
	ByOpening   = "on_request"  // someone opened or acted on the application before the sweeper
	systemActor = "system"
)

// Starter starts journeys from the outbox.
type Starter struct {
	DB       Store
	Temporal Temporal
}

// Ensure starts the journey of a registration that is still waiting for it, from its stored
// input, and marks it started. started is false when there was nothing to start (the journey was
// already marked started, or the application predates the outbox or is not the tenant's). The
// start is audited once, as made by actor (a person's id, or "" for the system) and how.
func (s Starter) Ensure(ctx context.Context, tenantID, applicationID, actor, how string) (started bool, err error) {
	raw, pending, err := s.DB.PendingJourneyStart(ctx, tenantID, applicationID)
	if err != nil || !pending {
		return false, err
	}
	in, err := DecodeInput(raw)
	if err != nil {
		return false, err
	}
	if err := s.start(ctx, in, actor, how, nil); err != nil {
		return false, err
	}
	return true, nil
}

// start launches the journey and marks it started, auditing the late start.
func (s Starter) start(ctx context.Context, in workflows.ApplicationInput, actor, how string, detail map[string]any) error {
	ctx, cancel := context.WithTimeout(ctx, StartTimeout)
	defer cancel()
	if err := Launch(ctx, s.Temporal, in); err != nil {
		return fmt.Errorf("starting the journey of %s: %w", in.ApplicationID, err)
	}
	if actor == "" {
		actor = systemActor
	}
	d := map[string]any{"by": how}
	for k, v := range detail {
		d[k] = v
	}
	_, err := s.DB.MarkJourneyStarted(ctx, in.ApplicationID, &postgres.AuditEntry{
		TenantID: in.TenantID, ApplicationID: in.ApplicationID, Actor: actor, Action: "journey_started_late",
		Detail: d, DedupeKey: "journey-started-late/" + in.ApplicationID, At: time.Now().UTC(),
	})
	if err != nil {
		// The journey runs, which is what matters; a later sweep finds it started and marks it.
		slog.Warn("a journey started but could not be marked started; the sweeper will mark it",
			"application_id", in.ApplicationID, "error", err)
	}
	return nil
}
