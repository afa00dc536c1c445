package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErasedApplication is the projection row of an erased application, by id alone, with when it
// was erased: what remains to show once its journey's history no longer decodes (its payload
// key was destroyed with the erasure). ErrNotFound when there is no such application or it is
// not erased.
func (db *DB) ErasedApplication(ctx context.Context, id string) (Application, time.Time, error) {
	var tenant string
	var erasedAt *time.Time
	err := db.pool.QueryRow(ctx, `SELECT tenant_id, erased_at FROM applications WHERE id=$1`, id).Scan(&tenant, &erasedAt)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && erasedAt == nil) {
		return Application{}, time.Time{}, fmt.Errorf("erased application %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Application{}, time.Time{}, err
	}
	app, err := db.Application(ctx, tenant, id)
	return app, *erasedAt, err
}
