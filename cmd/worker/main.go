// Command worker executes award journeys: the application workflow and its activities.
// Configuration comes from the environment (see config.FromEnv).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"awardengine/activities"
	"awardengine/config"
	"awardengine/email"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
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
	ctx := context.Background()
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	store, err := objects.Open(cfg.Objects)
	if err != nil {
		return err
	}
	if err := store.EnsureBucket(ctx); err != nil {
		return err
	}
	c, err := client.Dial(client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace})
	if err != nil {
		return fmt.Errorf("connecting to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer c.Close()
	w := worker.New(c, &activities.Activities{DB: db, Objects: store,
		Mail: email.NewSender(cfg.SendGridAPIKey, cfg.SendGridURL), PublicURL: cfg.PublicURL})
	slog.Info("worker running", "temporal", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace)
	return w.Run(sdkworker.InterruptCh())
}
