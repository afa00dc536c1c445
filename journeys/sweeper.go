package journeys

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"awardengine/storage/postgres"
)

// Defaults of a Sweeper.
const (
	DefaultEvery = 5 * time.Second  // how often it looks
	DefaultLease = 30 * time.Second // how long a claimed row is held: a failed start's backoff
	DefaultBatch = 100              // rows claimed at once
)

// Sweeper starts the journeys of registrations left without one: rows of the journey_starts
// outbox not marked started after Grace. Several processes may run one each: a row is claimed
// for Lease before its start is tried (SKIP LOCKED, see postgres.ClaimJourneyStarts), and the
// start is idempotent anyway.
type Sweeper struct {
	Starter
	Grace time.Duration // 0 = postgres.JourneyStartGrace; the registering request's time to start it itself
	Every time.Duration // 0 = DefaultEvery
	Lease time.Duration // 0 = DefaultLease
	Batch int           // 0 = DefaultBatch

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Started int // journeys started (or found already running) and marked
	Failed  int // starts that failed: tried again after the lease
}

// Sweep starts every journey due now and returns what it did. An error means the outbox could not
// be read; failed starts are counted, logged and recorded on their row for the stuck list.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	for {
		rows, err := s.DB.ClaimJourneyStarts(ctx, or(s.Grace, postgres.JourneyStartGrace), or(s.Lease, DefaultLease), batch)
		if err != nil {
			return res, err
		}
		for _, row := range rows {
			if err := s.startRow(ctx, row); err != nil {
				if ctx.Err() != nil {
					return res, ctx.Err() // stopping: the lease hands the row to the next sweep
				}
				res.Failed++
				slog.Warn("could not start a journey left behind by registration; it will be tried again",
					"application_id", row.ApplicationID, "attempt", row.Attempts, "error", err)
				if err := s.DB.JourneyStartFailed(ctx, row.ApplicationID, err.Error()); err != nil {
					slog.Warn("recording a failed journey start", "application_id", row.ApplicationID, "error", err)
				}
				continue
			}
			res.Started++
			slog.Info("started a journey left behind by registration", "application_id", row.ApplicationID,
				"registered_at", row.CreatedAt, "attempt", row.Attempts)
		}
		// A full batch may mean more are due (a burst left behind): claim again. Claimed rows are
		// leased, so the loop ends even when every start fails.
		if len(rows) < batch || ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
}

func (s *Sweeper) startRow(ctx context.Context, row postgres.JourneyStart) error {
	in, err := DecodeInput(row.Input)
	if err != nil {
		return err
	}
	return s.start(ctx, in, "", BySweeper, map[string]any{
		"registered_at": row.CreatedAt.UTC().Format(time.RFC3339), "attempt": row.Attempts,
	})
}

// Run sweeps every Every until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTicker(or(s.Every, DefaultEvery))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("sweeping registrations for journeys to start", "error", err)
			}
		}
	}
}

// Start runs the sweeper in the background until Stop (a second Start does nothing).
func (s *Sweeper) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		s.Run(ctx)
	}(s.done)
}

// Stop stops the background sweeper and waits for a sweep under way to end.
func (s *Sweeper) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.cancel, s.done = nil, nil
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
