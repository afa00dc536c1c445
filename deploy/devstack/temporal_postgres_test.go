package devstack

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	postgresschema "go.temporal.io/server/schema/postgresql/v12"
)

// TestTemporalOnPostgres: a server on two fresh PostgreSQL databases gets Temporal's schemas at
// this build's versions, its namespace with retention and search attributes through the
// frontend; a second start on the same databases (a restart, or a second replica's start) sets
// nothing up again, keeps the namespace and adds a new search attribute.
func TestTemporalOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and Temporal")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pg, err := StartPostgres(ctx, PostgresOptions{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pg.Stop() }()
	store := &TemporalPostgres{Port: pg.Port(), User: PostgresUser, Database: "t", VisibilityDatabase: "t_vis"}
	for _, db := range []string{store.Database, store.VisibilityDatabase} {
		if err := pg.CreateDatabase(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	const ns = "awards"
	start := func(sas map[string]enums.IndexedValueType) *Temporal {
		t.Helper()
		tmp, err := StartTemporal(TemporalOptions{Postgres: store, Namespace: ns, Retention: 30 * 24 * time.Hour,
			SearchAttributes: sas, Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		return tmp
	}
	check := func(tmp *Temporal, sas map[string]enums.IndexedValueType) {
		t.Helper()
		c, err := client.DialContext(ctx, client.Options{HostPort: tmp.HostPort(), Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
		if err != nil || desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() != 30*24*time.Hour {
			t.Fatalf("namespace: %v %v", desc, err)
		}
		list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		for name, typ := range sas {
			if list.GetCustomAttributes()[name] != typ {
				t.Fatalf("search attribute %s: %v", name, list.GetCustomAttributes())
			}
		}
		for db, want := range map[string]string{store.Database: postgresschema.Version, store.VisibilityDatabase: postgresschema.VisibilityVersion} {
			conn, err := pgx.Connect(ctx, pg.DSN(db))
			if err != nil {
				t.Fatal(err)
			}
			var have string
			var updates int
			err = conn.QueryRow(ctx, `SELECT curr_version, (SELECT count(*) FROM schema_update_history) FROM schema_version`).Scan(&have, &updates)
			conn.Close(ctx)
			if err != nil || have != want {
				t.Fatalf("%s: version %q (%v), want %s", db, have, err, want)
			}
			t.Logf("%s: schema %s after %d recorded updates", db, have, updates)
		}
	}

	first := map[string]enums.IndexedValueType{"AwardStage": enums.INDEXED_VALUE_TYPE_KEYWORD}
	tmp := start(first)
	check(tmp, first)
	tmp.Stop()

	second := map[string]enums.IndexedValueType{"AwardStage": enums.INDEXED_VALUE_TYPE_KEYWORD, "AwardDue": enums.INDEXED_VALUE_TYPE_DATETIME}
	tmp = start(second)
	defer tmp.Stop()
	check(tmp, second)
}
