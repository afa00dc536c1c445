package integration

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/operatorservice/v1"
	postgresschema "go.temporal.io/server/schema/postgresql/v12"

	"awardengine/deploy/stack"
	"awardengine/workflows"
)

// TestJourneyOnPostgresTemporal runs the main journey on a second stack whose Temporal server
// keeps persistence and visibility on PostgreSQL, production's stores: the schemas are those
// Temporal's SQL tooling applies (checked by version), the namespace and its search attributes
// are registered through the frontend, and the journey's history and visibility rows are in
// PostgreSQL. (AWARD_TEMPORAL_DB=postgres runs the whole suite in this mode.)
func TestJourneyOnPostgresTemporal(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	began := time.Now()
	s, err := stack.Start(ctx, stack.Options{DataDir: dir, TemporalDB: stack.TemporalPostgres})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	t.Logf("stack with Temporal on PostgreSQL started in %v", time.Since(began).Round(100*time.Millisecond))
	if s.Postgres == nil {
		t.Fatal("no private cluster")
	}
	if _, err := os.Stat(dir + "/temporal.sqlite"); err == nil {
		t.Fatal("a SQLite file was made: Temporal is not on PostgreSQL")
	}

	// The schemas are at the versions this server build ships (what temporal-sql-tool applies).
	for db, want := range map[string]string{"temporal": postgresschema.Version, "temporal_visibility": postgresschema.VisibilityVersion} {
		conn, err := pgx.Connect(ctx, s.Postgres.DSN(db))
		if err != nil {
			t.Fatal(err)
		}
		var have string
		err = conn.QueryRow(ctx, `SELECT curr_version FROM schema_version WHERE version_partition = 0 AND db_name = $1`, db).Scan(&have)
		conn.Close(ctx)
		if err != nil || have != want {
			t.Fatalf("%s: schema version %q (%v), want %s", db, have, err, want)
		}
	}
	// Search attributes as production registers them (through the operator API).
	list, err := s.Client.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: stack.Namespace})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range workflows.SearchAttributeTypes() {
		if list.GetCustomAttributes()[name] != typ {
			t.Fatalf("search attribute %s: %v, want %v", name, list.GetCustomAttributes()[name], typ)
		}
	}

	registrationToSubmission(t, s)

	// The journeys' executions and visibility rows are in PostgreSQL.
	for db, query := range map[string]string{
		"temporal":            `SELECT count(*) FROM executions`,
		"temporal_visibility": `SELECT count(*) FROM executions_visibility WHERE workflow_type_name = 'ApplicationWorkflow'`,
	} {
		conn, err := pgx.Connect(ctx, s.Postgres.DSN(db))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = conn.QueryRow(ctx, query).Scan(&n)
		conn.Close(ctx)
		if err != nil || n == 0 {
			t.Fatalf("%s: %s = %d (%v)", db, query, n, err)
		}
	}
}
