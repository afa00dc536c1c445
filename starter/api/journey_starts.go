package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"go.temporal.io/api/serviceerror"

	"awardengine/journeys"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// What a person is told about a registration whose journey has not started yet.
const (
	journeyStartingMessage = "registered; the journey is starting — it will appear shortly"
	journeyRetryAfter      = "5" // seconds: the sweeper looks every few seconds
)

// journeyStarting answers for an application whose journey could not be started just now.
var journeyStarting = problem{Status: http.StatusServiceUnavailable, Type: "journey-starting", Title: "Journey starting",
	Detail: journeyStartingMessage + "; try again in a few seconds"}

// CrashPoint names a point of a registration at which the process could die.
type CrashPoint string

// The points at which a registration can be interrupted (Server.CrashAt).
const (
	CrashBeforeCommit CrashPoint = "before_commit" // nothing written yet
	CrashAfterCommit  CrashPoint = "after_commit"  // the application and its start input are committed; no journey yet
	CrashAfterStart   CrashPoint = "after_start"   // the journey runs; it is not yet marked started
)

// crashPoint stops the request here, as a killed process would, when the test hook says so: no
// answer (the connection is dropped) and nothing more done.
func (s *Server) crashPoint(p CrashPoint, in workflows.ApplicationInput) {
	if s.CrashAt != nil && s.CrashAt(p, in) {
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) journeyStarter() journeys.Starter {
	return journeys.Starter{DB: s.DB, Temporal: s.Temporal}
}

// withJourney runs op against the application's journey. When Temporal does not know the journey
// and the registration is still waiting for it (the registering process stopped before starting
// it, and the sweeper has not yet), it starts it now from the outbox, idempotently, and runs op
// again; when it cannot, the error says that the journey is starting, not that it was not found.
func (s *Server) withJourney(ctx context.Context, app postgres.Application, op func() error) error {
	err := op()
	var nf *serviceerror.NotFound
	var p problem
	if !errors.As(err, &nf) && !(errors.As(err, &p) && p.Type == journeyStarting.Type) {
		return err
	}
	started, serr := s.journeyStarter().Ensure(ctx, app.TenantID, app.ID, "", journeys.ByOpening)
	switch {
	case serr != nil:
		slog.Warn("starting a journey left behind by registration, on request", "application_id", app.ID, "error", serr)
		return journeyStarting
	case !started:
		return err // marked started: the journey really is gone
	}
	// Wait for the journey's first step (a query waits for its first workflow task) before
	// sending it an update: an update that arrived with the journey's start would be handled
	// before the journey has registered itself, and registration would overwrite its effect.
	if _, err := s.status(ctx, app.ID); err != nil {
		return err
	}
	return op()
}

// failJourney is fail (which adds a Retry-After when the journey is still starting).
func failJourney(w http.ResponseWriter, r *http.Request, err error) { fail(w, r, err) }

// owedJourney turns Temporal's "not found" for an application whose registration is still
// waiting for its journey into the truthful journey-starting answer (the sweeper starts it within
// seconds); any other error is returned as it is. The caller has already checked access.
func (s *Server) owedJourney(ctx context.Context, applicationID string, err error) error {
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) || s.DB == nil {
		return err
	}
	if owed, lookErr := s.DB.JourneyStartOwed(ctx, applicationID); lookErr == nil && owed {
		return journeyStarting
	}
	return err
}
