// Command worker executes award journeys: the application workflow and its activities.
// Configuration comes from the environment (see config.FromEnv and config.OpsFromEnv). Beside
// the work it serves /livez, /readyz and /metrics on METRICS_ADDR, and on SIGTERM it drains:
// it stops polling, lets running activities finish within SHUTDOWN_GRACE, and exits 0.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"awardengine/activities"
	"awardengine/config"
	"awardengine/email"
	"awardengine/health"
	"awardengine/journeys"
	"awardengine/logging"
	"awardengine/metrics"
	"awardengine/worker"
)

func main() {
	if err := run(); err != nil {
		slog.Error("worker stopped", "error", err)
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	ops, err := config.OpsFromEnv()
	if err != nil {
		return err
	}
	slog.SetDefault(logging.New(os.Stderr, ops.LogFormat, ops.LogLevel))
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if len(cfg.OfferLinkKey) == 0 {
		return fmt.Errorf("OFFER_LINK_KEY is not set: it signs the one-click links of offer emails (make one with: openssl rand -base64 32)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	deps, err := config.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer deps.Close()

	// Probes and metrics first, so the orchestrator sees the process while it starts.
	checks := &health.Checks{Temporal: deps.Temporal, DB: deps.DB.Pool(), Objects: deps.Objects}
	ln, err := net.Listen("tcp", ops.MetricsAddr)
	if err != nil {
		return fmt.Errorf("METRICS_ADDR %s: %w", ops.MetricsAddr, err)
	}
	probes := checks.NewServer("")
	go func() {
		if err := probes.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			slog.Error("metrics server", "error", err)
		}
	}()
	defer metrics.ObserveProjection(metrics.Postgres{DB: deps.DB}, metrics.DefaultMaxAge)()

	w := worker.New(deps.Temporal, &activities.Activities{DB: deps.DB, Objects: deps.Objects,
		Mail: email.NewSender(cfg.SendGridAPIKey, cfg.SendGridURL), PublicURL: cfg.PublicURL, Temporal: deps.Temporal,
		OfferLinkKey: cfg.OfferLinkKey, PayloadKeys: deps.PayloadKeys}, worker.StopTimeout(ops.ShutdownGrace))
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting the worker: %w", err)
	}
	// Registrations left without a journey by an API process that stopped between its commit and
	// the start are started from the outbox (journeys explains the pattern). Every worker runs one;
	// they share the work through PostgreSQL.
	sweeper := &journeys.Sweeper{Starter: journeys.Starter{DB: deps.DB, Temporal: deps.Temporal}}
	sweeper.Start()
	slog.Info("worker running", "temporal", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace,
		"metrics_addr", ln.Addr().String())

	<-ctx.Done()
	began := time.Now()
	slog.Info("worker draining", "grace", ops.ShutdownGrace.String())
	checks.Drain()
	sweeper.Stop()
	// Stop returns once running activities finished, or after the grace (then they are
	// cancelled, and Temporal retries them on another worker: every activity is idempotent).
	w.Stop()
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = probes.Shutdown(shutdown)
	slog.Info("worker stopped", "took_ms", time.Since(began).Milliseconds())
	return nil
}
