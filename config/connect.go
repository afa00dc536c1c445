package config

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"awardengine/storage/objects"
	"awardengine/storage/postgres"
)

// Deps are the connections both processes need.
type Deps struct {
	DB       *postgres.DB
	Objects  *objects.Store
	Temporal client.Client
}

// Connect opens the database (applying migrations), the object store (creating the bucket)
// and the Temporal client.
func Connect(ctx context.Context, cfg Config) (*Deps, error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	d := &Deps{DB: db}
	if err := db.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if d.Objects, err = objects.Open(cfg.Objects); err == nil {
		err = d.Objects.EnsureBucket(ctx)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Temporal, err = client.Dial(client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace})
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("connecting to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return d, nil
}

// Close releases every connection.
func (d *Deps) Close() {
	if d.Temporal != nil {
		d.Temporal.Close()
	}
	d.DB.Close()
}
