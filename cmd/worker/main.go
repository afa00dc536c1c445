// Command worker executes award journeys: the application workflow and its activities.
// Configuration comes from the environment (see config.FromEnv).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	sdkworker "go.temporal.io/sdk/worker"

	"awardengine/activities"
	"awardengine/config"
	"awardengine/email"
	"awardengine/journeys"
	"awardengine/worker"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if len(cfg.OfferLinkKey) == 0 {
		return fmt.Errorf("OFFER_LINK_KEY is not set: it signs the one-click links of offer emails (make one with: openssl rand -base64 32)")
	}
	deps, err := config.Connect(context.Background(), cfg)
	if err != nil {
		return err
	}
	defer deps.Close()
	w := worker.New(deps.Temporal, &activities.Activities{DB: deps.DB, Objects: deps.Objects,
		Mail: email.NewSender(cfg.SendGridAPIKey, cfg.SendGridURL), PublicURL: cfg.PublicURL, Temporal: deps.Temporal,
		OfferLinkKey: cfg.OfferLinkKey, PayloadKeys: deps.PayloadKeys})
	// Registrations left without a journey by an API process that stopped between its commit and
	// the start are started from the outbox (journeys explains the pattern). Every worker runs one;
	// they share the work through PostgreSQL.
	sweeper := &journeys.Sweeper{Starter: journeys.Starter{DB: deps.DB, Temporal: deps.Temporal}}
	sweeper.Start()
	defer sweeper.Stop()
	slog.Info("worker running", "temporal", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace)
	return w.Run(sdkworker.InterruptCh())
}
