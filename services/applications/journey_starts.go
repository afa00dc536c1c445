package applications

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"go.temporal.io/api/serviceerror"

	"awardengine/journeys"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// What a person is told about a registration whose journey has not started yet.
const (
	JourneyStartingMessage = "registered; the journey is starting — it will appear shortly"
	// JourneyRetryAfter is the Retry-After (seconds) of a journey still starting: the sweeper
	// looks every few seconds.
	JourneyRetryAfter = "5"
	// TypeJourneyStarting is the problem type of an application whose journey is starting.
	TypeJourneyStarting = "journey-starting"
)

// JourneyStarting answers for an application whose journey could not be started just now.
func JourneyStarting() *structs.Problem {
	return &structs.Problem{Status: http.StatusServiceUnavailable, Type: TypeJourneyStarting, Title: "Journey starting",
		Detail: JourneyStartingMessage + "; try again in a few seconds"}
}

// CrashPoint names a point of a registration at which the process could die.
type CrashPoint string

// The points at which a registration can be interrupted (Service.CrashAt).
const (
	CrashBeforeCommit CrashPoint = "before_commit" // nothing written yet
	CrashAfterCommit  CrashPoint = "after_commit"  // the application and its start input are committed; no journey yet
	CrashAfterStart   CrashPoint = "after_start"   // the journey runs; it is not yet marked started
)

func (s *Service) crashPoint(p CrashPoint, in workflows.ApplicationInput) {
	if s.CrashAt != nil {
		s.CrashAt(p, in)
	}
}

// WithJourney runs op against the application's journey. When Temporal does not know the
// journey and the registration is still waiting for it (the registering process stopped before
// starting it, and the sweeper has not yet), it starts it now from the outbox, idempotently,
// and runs op again; when it cannot, the error says that the journey is starting, not that it
// was not found.
func (s *Service) WithJourney(ctx context.Context, app postgres.Application, op func() error) error {
	err := op()
	var nf *serviceerror.NotFound
	var p *structs.Problem
	if !errors.As(err, &nf) && !(errors.As(err, &p) && p.Type == TypeJourneyStarting) {
		return err
	}
	started, serr := s.journeyStarter().Ensure(ctx, app.TenantID, app.ID, "", journeys.ByOpening)
	switch {
	case serr != nil:
		slog.Warn("starting a journey left behind by registration, on request", "application_id", app.ID, "error", serr)
		return JourneyStarting()
	case !started:
		return err // marked started: the journey really is gone
	}
	// Wait for the journey's first step (a query waits for its first workflow task) before
	// sending it an update: an update that arrived with the journey's start would be handled
	// before the journey has registered itself, and registration would overwrite its effect.
	if _, err := s.Status(ctx, app.ID); err != nil {
		return err
	}
	return op()
}

// owedJourney turns Temporal's "not found" for an application whose registration is still
// waiting for its journey into the truthful journey-starting answer (the sweeper starts it
// within seconds); any other error is returned as it is. The caller has already checked access.
func (s *Service) owedJourney(ctx context.Context, applicationID string, err error) error {
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) || s.DB == nil {
		return err
	}
	if owed, lookErr := s.DB.JourneyStartOwed(ctx, applicationID); lookErr == nil && owed {
		return JourneyStarting()
	}
	return err
}
