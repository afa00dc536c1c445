package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	postgresplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	postgresschema "go.temporal.io/server/schema/postgresql/v12"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TemporalPostgres puts an in-process Temporal server's persistence and visibility on
// PostgreSQL, as production runs it, instead of SQLite. Both databases must exist (the caller
// creates them, as a platform team does); their schemas are set up or upgraded here by
// Temporal's own schema tooling (tools/sql with the embedded schema/postgresql/v12 versioned
// directories: what `temporal-sql-tool setup-schema -v 0.0` then `update-schema` apply).
type TemporalPostgres struct {
	Host     string // default 127.0.0.1
	Port     int
	User     string
	Password string
	// Database and VisibilityDatabase default to temporal and temporal_visibility (the names
	// of Temporal's own setup).
	Database           string
	VisibilityDatabase string
}

// Names of Temporal's schemas in the server's embedded schema directory.
const (
	postgresSchema           = "postgresql/v12/temporal"
	postgresVisibilitySchema = "postgresql/v12/visibility"
)

// sqlConfig is the server's connection to one of the two databases. A handful of connections
// each: one history shard, and the private cluster serves the product too.
func (p TemporalPostgres) sqlConfig(database string) *config.SQL {
	host := p.Host
	if host == "" {
		host = "127.0.0.1"
	}
	return &config.SQL{
		PluginName:      postgresplugin.PluginName,
		DatabaseName:    database,
		ConnectAddr:     net.JoinHostPort(host, strconv.Itoa(p.Port)),
		ConnectProtocol: "tcp",
		User:            p.User,
		Password:        p.Password,
		MaxConns:        10,
		MaxIdleConns:    10,
		MaxConnLifetime: time.Hour,
	}
}

func (p *TemporalPostgres) defaults() {
	if p.Database == "" {
		p.Database = "temporal"
	}
	if p.VisibilityDatabase == "" {
		p.VisibilityDatabase = "temporal_visibility"
	}
}

// preparePostgres brings both schemas to the versions this server build expects and returns
// the data stores of the server's configuration.
func preparePostgres(p TemporalPostgres, logger log.Logger) (map[string]config.DataStore, error) {
	p.defaults()
	main, vis := p.sqlConfig(p.Database), p.sqlConfig(p.VisibilityDatabase)
	if err := setupSchema(main, postgresSchema, postgresschema.Version, logger); err != nil {
		return nil, err
	}
	if err := setupSchema(vis, postgresVisibilitySchema, postgresschema.VisibilityVersion, logger); err != nil {
		return nil, err
	}
	return map[string]config.DataStore{
		"postgres-default":    {SQL: main},
		"postgres-visibility": {SQL: vis},
	}, nil
}

// setupSchema does what temporal-sql-tool does: on a database without Temporal's version table,
// setup-schema -v 0.0 (the version tables only); then update-schema through every versioned
// directory above the recorded version. It then checks the recorded version is want, so a
// server never runs on a schema it was not built for.
func setupSchema(cfg *config.SQL, schemaName, want string, logger log.Logger) error {
	conn, err := sqltool.NewConnection(cfg, logger)
	if err != nil {
		return fmt.Errorf("temporal: connect to PostgreSQL database %s: %w", cfg.DatabaseName, err)
	}
	defer conn.Close()
	tables, err := conn.ListTables()
	if err != nil {
		return fmt.Errorf("temporal: list tables of %s: %w", cfg.DatabaseName, err)
	}
	// Only a database without the version table is set up: setting up again would reset the
	// recorded version of a database that has one.
	if !slices.Contains(tables, "schema_version") {
		if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
			return fmt.Errorf("temporal: set up schema versioning in %s: %w", cfg.DatabaseName, err)
		}
	}
	if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: cfg.DatabaseName, SchemaName: schemaName}, logger).Run(); err != nil {
		return fmt.Errorf("temporal: update schema %s in %s: %w", schemaName, cfg.DatabaseName, err)
	}
	have, err := conn.ReadSchemaVersion()
	if err != nil {
		return fmt.Errorf("temporal: read schema version of %s: %w", cfg.DatabaseName, err)
	}
	if have != want {
		return fmt.Errorf("temporal: database %s is at schema version %s, this server needs %s", cfg.DatabaseName, have, want)
	}
	return nil
}

// registerNamespace creates the namespace through the frontend, as production does
// (`temporal operator namespace create`), unless it exists, and waits until the services'
// namespace caches know it. Search attributes and retention are then reconciled like every
// other mode (reconcileNamespace: `temporal operator search-attribute create`).
func (t *Temporal) registerNamespace(ctx context.Context, o TemporalOptions) error {
	c, err := client.DialContext(ctx, client.Options{HostPort: t.hostPort, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return fmt.Errorf("temporal: frontend %s not answering: %w", t.hostPort, err)
	}
	defer c.Close()
	retention := o.Retention
	if retention == 0 {
		retention = 24 * time.Hour
	}
	_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: o.Namespace, WorkflowExecutionRetentionPeriod: durationpb.New(retention),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("temporal: register namespace %s: %w", o.Namespace, err)
	}
	for {
		_, err := c.WorkflowService().ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: o.Namespace, PageSize: 1})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal: namespace %s not usable: %w (last: %v)", o.Namespace, ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
