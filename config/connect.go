package config

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"awardengine/metrics"
	"awardengine/payloadcrypt"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
)

// Deps are the connections both processes need.
type Deps struct {
	DB       *postgres.DB
	Objects  *objects.Store
	Temporal client.Client
	// PayloadKeys encrypt every Temporal payload (config/keys.go); the erasure shreds them.
	PayloadKeys *payloadcrypt.Keys
}

// Connect opens the database (applying migrations), the object store (creating the bucket)
// and the Temporal client.
func Connect(ctx context.Context, cfg Config) (*Deps, error) {
	keyring, err := PayloadKeyring(cfg) // no process starts without payload keys
	if err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	d := &Deps{DB: db, PayloadKeys: payloadcrypt.NewKeys(postgres.PayloadKeys{DB: db}, keyring)}
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
	d.Temporal, err = client.Dial(payloadcrypt.ClientOptions(client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		MetricsHandler: metrics.Temporal()}, d.PayloadKeys)) // the SDK's metrics on /metrics (package metrics)
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
