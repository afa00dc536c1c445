package applications

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"awardengine/workflows"
)

// UpdateTimeout bounds how long a person waits for the journey to accept an action.
const UpdateTimeout = 30 * time.Second

// Update runs a Temporal Update on an application's workflow and waits for its result. The
// caller has checked access. A validator's refusal comes back as an error before anything is
// written to history.
//
// Once an update is sent, only its outcome says what happened: a refusal or a failure comes
// back as the workflow's error, a journey that does not exist as NotFound, and a request
// Temporal refused outright (invalid, too many updates at once) changed nothing. Any other
// error (the wait timed out or was cancelled, the connection broke) leaves the outcome
// unknown: the journey may still be doing the change. Such errors come back as
// *OutcomeUnknownError, which Problem answers with "still in progress — check the application
// before trying again", never with "nothing was changed".
func (s *Service) Update(ctx context.Context, applicationID, name string, arg, result any) error {
	ctx, cancel := context.WithTimeout(ctx, UpdateTimeout)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.WorkflowID(applicationID),
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return s.owedJourney(ctx, applicationID, updateError(err))
	}
	return updateError(h.Get(ctx, result))
}

// OutcomeUnknownError is an update sent to a journey whose outcome could not be learnt.
type OutcomeUnknownError struct {
	Err      error
	TimedOut bool // the wait ran out of time (or was cancelled); else the connection broke
}

func (e *OutcomeUnknownError) Error() string { return "update outcome unknown: " + e.Err.Error() }
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// updateError sorts an update's error into what is known of its effect (see Update).
func updateError(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	var nf *serviceerror.NotFound
	if errors.As(err, &appErr) || errors.As(err, &nf) {
		return err
	}
	var waited *client.WorkflowUpdateServiceTimeoutOrCanceledError
	if errors.As(err, &waited) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &OutcomeUnknownError{Err: err, TimedOut: true}
	}
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	if errors.As(err, &deadline) || errors.As(err, &canceled) {
		return &OutcomeUnknownError{Err: err, TimedOut: true}
	}
	var invalid *serviceerror.InvalidArgument
	var denied *serviceerror.PermissionDenied
	var exhausted *serviceerror.ResourceExhausted
	var precondition *serviceerror.FailedPrecondition
	var notReady *serviceerror.WorkflowNotReady
	var noNamespace *serviceerror.NamespaceNotFound
	if errors.As(err, &invalid) || errors.As(err, &denied) || errors.As(err, &exhausted) ||
		errors.As(err, &precondition) || errors.As(err, &notReady) || errors.As(err, &noNamespace) {
		// Temporal refused the request itself: it never reached the journey.
		return Unchanged(err)
	}
	return &OutcomeUnknownError{Err: err}
}

// Status queries the journey's current state. The caller has checked access.
func (s *Service) Status(ctx context.Context, applicationID string) (workflows.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, UpdateTimeout)
	defer cancel()
	var st workflows.Status
	v, err := s.Temporal.QueryWorkflow(ctx, workflows.WorkflowID(applicationID), "", workflows.QueryStatus)
	if err != nil && !errors.As(err, new(*serviceerror.NotFound)) {
		return s.erasedStatus(ctx, applicationID, err) // err, unless the application was erased: erased.go
	}
	if err != nil {
		return st, s.owedJourney(ctx, applicationID, err)
	}
	return st, v.Get(&st)
}

// DefaultReadWait is how long a read waits for a journey's own answer before it answers from
// the projection. A journey answers a query once its current workflow task is done: at once
// when it is idle, after its step when it is busy, and later still when its worker is behind.
const DefaultReadWait = time.Second

func (s *Service) readWait() time.Duration {
	if s.ReadWait > 0 {
		return s.ReadWait
	}
	return DefaultReadWait
}

// statusWithin is Status waiting at most the read bound: answered false (and no error) when the
// journey did not answer in time, so that the caller answers from the projection instead.
func (s *Service) statusWithin(ctx context.Context, applicationID string) (workflows.Status, bool, error) {
	qctx, cancel := context.WithTimeout(ctx, s.readWait())
	defer cancel()
	st, err := s.Status(qctx, applicationID)
	if err != nil && ctx.Err() == nil && (qctx.Err() != nil || timedOut(err)) {
		return st, false, nil
	}
	return st, true, err
}

// timedOut says a query's error is its wait running out (the server's deadline can fall a
// moment before the client's).
func timedOut(err error) bool {
	var deadline *serviceerror.DeadlineExceeded
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &deadline)
}

// UnchangedError marks an error that happened before the request changed or sent anything.
type UnchangedError struct{ error }

func (e UnchangedError) Unwrap() error { return e.error }

// Unchanged marks err as having happened before anything was changed or sent (nil stays nil).
func Unchanged(err error) error {
	if err == nil {
		return nil
	}
	return UnchangedError{err}
}

// IsUnchanged says whether err was marked Unchanged.
func IsUnchanged(err error) bool {
	var u UnchangedError
	return errors.As(err, &u)
}
