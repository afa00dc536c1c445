package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

const temporalClusterName = "active"

// SQLite visibility store limits on custom search attributes.
const (
	maxKeywordSearchAttributes = 10
	maxOtherSearchAttributes   = 3
)

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	// DatabaseFile is the SQLite file; "" = in-memory (tests). The schema is
	// set up when the file does not exist; an existing file is reused.
	DatabaseFile string
	IP           string // frontend bind address; default 127.0.0.1
	Port         int    // frontend gRPC port; 0 = free
	UIPort       int    // Temporal Web UI port; 0 = no UI
	Namespace    string // default "default"
	// Retention is the namespace's workflow retention; 0 keeps Temporal's
	// default of 24h. An existing namespace with a lower retention is raised.
	Retention time.Duration
	// SearchAttributes are registered on the namespace (at most 10 Keyword
	// and 3 of each other type with SQLite). Missing ones are added to an
	// existing namespace after start.
	SearchAttributes map[string]enums.IndexedValueType
	// Logf receives the server's warnings and errors; nil discards them.
	Logf func(string, ...any)
	// CodecEndpoint is the remote codec the Web UI decodes payloads with (the API's
	// /v1/codec, behind admin sign-in: the browser sends the session cookie); "" = none, and
	// the UI shows encrypted payloads as they are.
	CodecEndpoint string
	// Postgres, when set, keeps persistence and visibility on PostgreSQL (production's
	// stores: temporal_postgres.go) instead of SQLite; DatabaseFile is then unused.
	Postgres *TemporalPostgres
}

// Temporal is an in-process Temporal server (all four services, SQLite
// persistence) with an optional in-process Web UI.
type Temporal struct {
	server    temporal.Server
	ui        *uiserver.Server
	uiDone    chan struct{}
	hostPort  string
	uiURL     string
	namespace string
	logf      func(string, ...any)
	stopping  *atomic.Bool
	stopOnce  sync.Once
}

// StartTemporal starts the server, waits until its frontend answers, and
// makes sure the namespace has the requested retention and search attributes.
func StartTemporal(o TemporalOptions) (*Temporal, error) {
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Retention < 0 {
		return nil, fmt.Errorf("temporal: negative retention %v", o.Retention)
	}
	if err := checkSearchAttributeLimits(o.SearchAttributes); err != nil {
		return nil, err
	}
	logf := logfOrDiscard(o.Logf)
	if o.DatabaseFile != "" {
		abs, err := filepath.Abs(o.DatabaseFile)
		if err != nil {
			return nil, err
		}
		o.DatabaseFile = abs
	}

	// localIP is where the other services and clients reach the frontend.
	localIP := o.IP
	if ip := net.ParseIP(o.IP); ip != nil && ip.IsUnspecified() {
		localIP = "127.0.0.1"
	}
	var err error
	if o.Port, err = pickPort("Temporal frontend", o.IP, o.Port); err != nil {
		return nil, err
	}
	ports := map[string]int{}
	for _, name := range []string{"http", "history", "matching", "worker"} {
		if ports[name], err = freePort(localIP); err != nil {
			return nil, err
		}
	}
	if o.UIPort != 0 {
		// The UI server exits the process if it cannot listen: check first.
		if err := checkPortFree("Temporal UI", o.IP, o.UIPort); err != nil {
			return nil, err
		}
	}

	frontend := hostPort(localIP, o.Port)
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = localIP
	conf.Persistence.DefaultStore = "sqlite-default"
	conf.Persistence.VisibilityStore = "sqlite-default"
	conf.Persistence.NumHistoryShards = 1
	if o.Postgres != nil {
		conf.Persistence.DefaultStore, conf.Persistence.VisibilityStore = "postgres-default", "postgres-visibility"
		if conf.Persistence.DataStores, err = preparePostgres(*o.Postgres, log.NewNoopLogger()); err != nil {
			return nil, err
		}
	} else {
		sqlConf, err := prepareSQLite(o)
		if err != nil {
			return nil, err
		}
		conf.Persistence.DataStores = map[string]config.DataStore{"sqlite-default": {SQL: sqlConf}}
	}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        temporalClusterName,
		CurrentClusterName:       temporalClusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			temporalClusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            hostPort(localIP, ports["http"]),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		"frontend": {RPC: config.RPC{GRPCPort: o.Port, HTTPPort: ports["http"], BindOnIP: o.IP}},
		"history":  {RPC: config.RPC{GRPCPort: ports["history"], BindOnIP: localIP}},
		"matching": {RPC: config.RPC{GRPCPort: ports["matching"], BindOnIP: localIP}},
		"worker":   {RPC: config.RPC{GRPCPort: ports["worker"], BindOnIP: localIP}},
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend

	stopping := new(atomic.Bool)
	var logger log.Logger = log.NewNoopLogger()
	if o.Logf != nil {
		logger = &warnLogger{logf: o.Logf, stopping: stopping}
	}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("temporal: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("temporal: claim mapper: %w", err)
	}
	dynConf := dynamicconfig.StaticClient{
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		// TemporalReportedProblems (the stuck list's failing workflow tasks) after 2 consecutive
		// workflow task failures or timeouts instead of 5, so a broken build shows sooner.
		dynamicconfig.NumConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute.Key(): 2,
		// Not set: one matching partition per task queue (matching.numTaskqueueReadPartitions
		// and WritePartitions = 1) lowered the bare Update p99 at c=20 (median 298 against 365
		// ms) but not the journeys' figures (docs/performance.md, issue 16).
	}
	if o.Postgres != nil {
		// The namespace is registered through the frontend after start: its caches pick it up
		// within this interval rather than the default's.
		dynConf[dynamicconfig.NamespaceCacheRefreshInterval.Key()] = time.Second
	}
	server, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(frontend),
			primitives.HistoryService:  static.SingleLocalHost(hostPort(localIP, ports["history"])),
			primitives.MatchingService: static.SingleLocalHost(hostPort(localIP, ports["matching"])),
			primitives.WorkerService:   static.SingleLocalHost(hostPort(localIP, ports["worker"])),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynConf),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal: create server: %w", err)
	}
	if err := server.Start(); err != nil {
		_ = server.Stop()
		return nil, fmt.Errorf("temporal: start server: %w", err)
	}
	t := &Temporal{server: server, hostPort: frontend, namespace: o.Namespace, logf: logf, stopping: stopping}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if o.Postgres != nil {
		if err := t.registerNamespace(ctx, o); err != nil {
			t.Stop()
			return nil, err
		}
	}
	if err := t.reconcileNamespace(ctx, o); err != nil {
		t.Stop()
		return nil, err
	}

	if o.UIPort != 0 {
		if err := t.startUI(ctx, o, localIP); err != nil {
			t.Stop()
			return nil, err
		}
	}
	if t.uiURL != "" {
		logf("temporal: ready: frontend %s, namespace %s, UI %s", t.hostPort, t.namespace, t.uiURL)
	} else {
		logf("temporal: ready: frontend %s, namespace %s", t.hostPort, t.namespace)
	}
	return t, nil
}

// HostPort is the frontend gRPC address for SDK clients.
func (t *Temporal) HostPort() string { return t.hostPort }

// Namespace is the namespace created at start.
func (t *Temporal) Namespace() string { return t.namespace }

// UIURL is the Web UI's URL, "" when no UI runs.
func (t *Temporal) UIURL() string { return t.uiURL }

// Stop stops the UI and the server and releases their ports. Safe to call
// more than once. A later StartTemporal on the same DatabaseFile in this
// process works (the SQLite plugin keeps its connection to the file open
// until the process exits).
func (t *Temporal) Stop() {
	t.stopOnce.Do(func() {
		t.stopping.Store(true)
		if t.ui != nil {
			t.ui.Stop()
			select {
			case <-t.uiDone:
			case <-time.After(5 * time.Second):
			}
		}
		if err := t.server.Stop(); err != nil {
			t.logf("temporal: stop: %v", err)
		}
	})
}

func hostPort(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }

func checkSearchAttributeLimits(sas map[string]enums.IndexedValueType) error {
	counts := map[enums.IndexedValueType]int{}
	for name, typ := range sas {
		if name == "" || typ == enums.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return fmt.Errorf("temporal: search attribute %q needs a name and a type", name)
		}
		counts[typ]++
	}
	for typ, n := range counts {
		limit := maxOtherSearchAttributes
		if typ == enums.INDEXED_VALUE_TYPE_KEYWORD {
			limit = maxKeywordSearchAttributes
		}
		if n > limit {
			return fmt.Errorf("temporal: %d search attributes of type %s, but the SQLite visibility store allows at most %d (10 Keyword, 3 of each other type)", n, typ, limit)
		}
	}
	return nil
}

// prepareSQLite builds the SQL config, sets the schema up for a new file and
// pre-creates the namespace with its retention and search attributes.
func prepareSQLite(o TemporalOptions) (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName}
	if o.DatabaseFile == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = "devstack-" + strconv.FormatUint(rand.Uint64(), 36)
	} else {
		// Settings the SQLite plugin passes on as pragmas (issue 16). Figures from
		// BenchmarkJourneys20 on 2 shared cores (docs/performance.md):
		//	go test ./integration -run '^$' -bench Journeys20 -benchtime 40x -count=1
		conf.ConnectAttributes = map[string]string{
			"mode": "rwc",
			// Write-ahead log instead of the rollback journal. With synchronous=normal, back to
			// back on a quiet machine: the bare baseline at c=20 from 6.7–8.4 to 17–25
			// workflows/s, its Update p99 from 0.68–1.04 s to 0.30–0.61 s, the batched journey
			// from 3.3 to 2.9–5.0 journeys/s, per-file from 1.5–1.7 to 1.5–2.5; on a busy
			// machine the journeys' worst action p99 from 10–22 s to 1.3–4.9 s, and none of 17
			// runs aborted (without it 2 of 7 did: an Update past its deadline, a status 503). The
			// mode is kept in the file: existing files switch on first open, and a -wal and a
			// -shm file sit beside it while it is open.
			"journal_mode": "wal",
			// In WAL mode, fsync at checkpoints rather than at every commit: a crash of the
			// process loses nothing, a power cut may lose the last commits (a dev server). At
			// the same load WAL without it gave 11.3 baseline/s, 2.7 batched journeys/s and an
			// Update p99 of 0.65 s against 15.5–16.3, 3.0–3.6 and 0.58–0.61 s with it.
			"synchronous": "normal",
			// Wait for a lock rather than fail at once with "database is locked" (another
			// process reading the file, a checkpoint). The plugin keeps its one connection
			// (MaxConns 1): 4 connections under WAL bought nothing (8.0–13.2 baseline/s,
			// Update p99 0.78–0.93 s against 10.1–16.3 and 0.46–0.61 s at the same load).
			"busy_timeout": "10000",
		}
		conf.DatabaseName = o.DatabaseFile
		if _, err := os.Stat(o.DatabaseFile); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(filepath.Dir(o.DatabaseFile), 0o755); err != nil {
				return nil, fmt.Errorf("temporal: create dir for %s: %w", o.DatabaseFile, err)
			}
			if err := sqliteschema.SetupSchema(conf); err != nil {
				return nil, fmt.Errorf("temporal: set up SQLite schema in %s: %w", o.DatabaseFile, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("temporal: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(temporalClusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("temporal: namespace %s: %w", o.Namespace, err)
	}
	if o.Retention > 0 {
		ns.Detail.Config.Retention = durationpb.New(o.Retention)
	}
	// No-op when the namespace already exists (reconcileNamespace fixes it up).
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("temporal: create namespace %s: %w", o.Namespace, err)
	}
	return conf, nil
}

// reconcileNamespace waits for the frontend, then adds missing search
// attributes and raises a lower retention on an existing namespace.
func (t *Temporal) reconcileNamespace(ctx context.Context, o TemporalOptions) error {
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  t.hostPort,
		Namespace: o.Namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		return fmt.Errorf("temporal: frontend %s not answering: %w", t.hostPort, err)
	}
	defer c.Close()

	if len(o.SearchAttributes) > 0 {
		list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: o.Namespace})
		if err != nil {
			return fmt.Errorf("temporal: list search attributes: %w", err)
		}
		missing := map[string]enums.IndexedValueType{}
		var names []string
		for name, typ := range o.SearchAttributes {
			have, ok := list.GetCustomAttributes()[name]
			if !ok {
				missing[name] = typ
				names = append(names, name)
				continue
			}
			if have != typ {
				return fmt.Errorf("temporal: search attribute %s exists on namespace %s as %s, not %s: use another name or start with a new database file", name, o.Namespace, have, typ)
			}
		}
		if len(missing) > 0 {
			sort.Strings(names)
			t.logf("temporal: adding search attributes %s to namespace %s", strings.Join(names, ", "), o.Namespace)
			if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
				Namespace:        o.Namespace,
				SearchAttributes: missing,
			}); err != nil {
				return fmt.Errorf("temporal: add search attributes %s: %w", strings.Join(names, ", "), err)
			}
		}
	}

	if o.Retention > 0 {
		desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: o.Namespace})
		if err != nil {
			return fmt.Errorf("temporal: describe namespace %s: %w", o.Namespace, err)
		}
		if have := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); have < o.Retention {
			t.logf("temporal: raising retention of namespace %s from %v to %v", o.Namespace, have, o.Retention)
			if _, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
				Namespace: o.Namespace,
				Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(o.Retention)},
			}); err != nil {
				return fmt.Errorf("temporal: update retention of namespace %s: %w", o.Namespace, err)
			}
		}
	}
	return nil
}

func (t *Temporal) startUI(ctx context.Context, o TemporalOptions, localIP string) error {
	t.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                o.IP,
		Port:                o.UIPort,
		TemporalGRPCAddress: t.hostPort,
		EnableUI:            true,
		DefaultNamespace:    o.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
		Codec:               uiconfig.Codec{Endpoint: o.CodecEndpoint, IncludeCredentials: o.CodecEndpoint != ""},
	}))
	t.uiDone = make(chan struct{})
	go func() {
		defer close(t.uiDone)
		if err := t.ui.Start(); err != nil {
			t.logf("temporal: UI server: %v", err)
		}
	}()
	t.uiURL = "http://" + hostPort(localIP, o.UIPort)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.uiURL+"/healthz", nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		select {
		case <-t.uiDone:
			return fmt.Errorf("temporal: UI server on %s stopped during start-up", t.uiURL)
		case <-ctx.Done():
			return fmt.Errorf("temporal: UI server on %s not answering: %w", t.uiURL, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// warnLogger is a log.Logger that passes only warnings and errors to logf.
// Warnings are dropped once the server is stopping (connection errors
// between the services while they shut down are expected).
type warnLogger struct {
	logf     func(string, ...any)
	tags     []tag.Tag
	stopping *atomic.Bool
}

var (
	_ log.Logger     = (*warnLogger)(nil)
	_ log.WithLogger = (*warnLogger)(nil)
)

func (l *warnLogger) Debug(string, ...tag.Tag) {}
func (l *warnLogger) Info(string, ...tag.Tag)  {}
func (l *warnLogger) Warn(msg string, tags ...tag.Tag) {
	if !l.stopping.Load() {
		l.emit("WARN", msg, tags)
	}
}
func (l *warnLogger) Error(msg string, tags ...tag.Tag) {
	l.emit("ERROR", msg, tags)
}
func (l *warnLogger) DPanic(msg string, tags ...tag.Tag) {
	l.emit("DPANIC", msg, tags)
}
func (l *warnLogger) Panic(msg string, tags ...tag.Tag) {
	l.emit("PANIC", msg, tags)
	panic(msg)
}
func (l *warnLogger) Fatal(msg string, tags ...tag.Tag) {
	l.emit("FATAL", msg, tags)
	os.Exit(1) // as the server's own zap logger does
}
func (l *warnLogger) With(tags ...tag.Tag) log.Logger {
	return &warnLogger{logf: l.logf, tags: append(append([]tag.Tag(nil), l.tags...), tags...), stopping: l.stopping}
}

func (l *warnLogger) emit(level, msg string, tags []tag.Tag) {
	var b strings.Builder
	b.WriteString("temporal: ")
	b.WriteString(level)
	b.WriteString(" ")
	b.WriteString(msg)
	for _, list := range [][]tag.Tag{l.tags, tags} {
		for _, t := range list {
			if t == nil {
				continue
			}
			fmt.Fprintf(&b, " %s=%v", t.Key(), t.Value())
		}
	}
	l.logf("%s", b.String())
}
