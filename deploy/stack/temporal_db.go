package stack

import (
	"context"
	"errors"
	"fmt"
	"os"

	"awardengine/deploy/devstack"
)

// temporalPostgres returns the in-process Temporal server's PostgreSQL stores when
// o.TemporalDB (or AWARD_TEMPORAL_DB) asks for them, after creating their two databases on the
// private cluster (what a platform team's `temporal-sql-tool create-database` does); nil for
// SQLite.
func (s *Stack) temporalPostgres(ctx context.Context, o Options) (*devstack.TemporalPostgres, error) {
	mode := o.TemporalDB
	if mode == "" {
		mode = os.Getenv("AWARD_TEMPORAL_DB")
	}
	switch mode {
	case "", TemporalSQLite:
		return nil, nil
	case TemporalPostgres:
	default:
		return nil, fmt.Errorf("stack: Temporal database %q: want %s or %s", mode, TemporalSQLite, TemporalPostgres)
	}
	if s.Postgres == nil {
		return nil, errors.New("stack: Temporal on PostgreSQL runs on the private cluster: unset DATABASE_URL")
	}
	p := &devstack.TemporalPostgres{Port: s.Postgres.Port(), User: devstack.PostgresUser,
		Database: "temporal", VisibilityDatabase: "temporal_visibility"}
	for _, db := range []string{p.Database, p.VisibilityDatabase} {
		if err := s.Postgres.CreateDatabase(ctx, db); err != nil {
			return nil, err
		}
	}
	o.Logf("temporal: persistence and visibility on PostgreSQL (%s, %s)", p.Database, p.VisibilityDatabase)
	return p, nil
}
