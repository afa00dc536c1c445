package metrics

import (
	"context"
	"time"

	"awardengine/storage/postgres"
)

// Postgres reads the projection gauges from the product's database.
type Postgres struct{ DB *postgres.DB }

// JourneysByStage implements Source (one scan of applications' active rows).
func (p Postgres) JourneysByStage(ctx context.Context) (map[string]int, error) {
	rows, err := p.DB.Pool().Query(ctx, `SELECT stage, count(*) FROM applications WHERE active GROUP BY stage`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var stage string
		var n int
		if err := rows.Scan(&stage, &n); err != nil {
			return nil, err
		}
		out[stage] = n
	}
	return out, rows.Err()
}

// StuckByReason implements Source with the stuck list's own query, tenant by tenant, so the
// gauge counts exactly what admins see (less what only Temporal knows).
func (p Postgres) StuckByReason(ctx context.Context, now time.Time) (map[string]int, error) {
	rows, err := p.DB.Pool().Query(ctx, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var tenants []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		tenants = append(tenants, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, t := range tenants {
		entries, err := p.DB.StuckFromProjection(ctx, t, now)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			out[e.Reason]++
		}
	}
	return out, nil
}
