// Package stack assembles the whole product on the embedded default stack: a private
// PostgreSQL cluster, a MinIO server, an in-process Temporal server with its Web UI, the local
// SendGrid-compatible endpoint, the worker and the HTTP API. `make run` and the integration
// tests both start it, so what the tests check is what a person runs.
package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/deploy/devstack"
	"awardengine/deploy/seed"
	"awardengine/devmail"
	"awardengine/email"
	"awardengine/email/webhook"
	"awardengine/journeys"
	"awardengine/metrics"
	"awardengine/payloadcrypt"
	"awardengine/services/offerlinks/offertoken"
	"awardengine/services/oidc"
	"awardengine/services/signin"
	"awardengine/starter/api"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
	"awardengine/worker"
	"awardengine/workflows"
)

// Namespace and bucket of the development stack.
const (
	Namespace = "awards"
	Bucket    = "awards"
	minioUser = "awardsdev"
	minioPass = "awardsdev-secret-key"
	mailKey   = "SG.local-development-key"
	// Retention of closed journeys' histories: well above the dev server's 24 h default.
	Retention = 365 * 24 * time.Hour
)

// Options say where the stack keeps its data and which ports it uses (0 = any free port).
type Options struct {
	DataDir      string // required: .data for `make run`, a temp dir in tests
	DatabaseURL  string // use this PostgreSQL instead of a private cluster
	MinIOBinary  string // default bin/minio (found from the module root)
	HTTPAddr     string // default 127.0.0.1:0
	TemporalPort int
	UIPort       int // 0 = no Web UI
	MinIOPort    int
	PostgresPort int
	MailPort     int
	Settings     *award.Settings // default award.DefaultSettings()
	Logf         func(string, ...any)
	// TemporalDB is where the in-process Temporal server keeps its data: TemporalSQLite (a
	// file in DataDir) or TemporalPostgres (production's persistence and visibility, on the
	// private cluster, schema by Temporal's SQL tooling). "" = $AWARD_TEMPORAL_DB, else SQLite.
	TemporalDB string
}

// Values of Options.TemporalDB (and of AWARD_TEMPORAL_DB).
const (
	TemporalSQLite   = "sqlite"
	TemporalPostgres = "postgres"
)

// Stack is the running product.
type Stack struct {
	Postgres *devstack.Postgres
	MinIO    *devstack.MinIO
	Temporal *devstack.Temporal
	Mail     *devmail.Sink
	DB       *postgres.DB
	Objects  *objects.Store
	Client   client.Client
	Worker   sdkworker.Worker
	acts     *activities.Activities
	// Sweeper starts the journeys of registrations left without one, as in the worker process
	// (tests stop and start it to look at a registration before it is repaired).
	Sweeper *journeys.Sweeper

	Signer *webhook.Signer // signs the local endpoint's webhook events
	// ProcessedEvents, when false, stops the local endpoint posting processed events (tests).
	ProcessedEvents atomic.Bool

	APIURL  string
	MailURL string
	http    *http.Server
	mailSrv *http.Server
	stops   []func()

	// OfferLinkKey signs the offer emails' one-click links (kept in the data directory).
	OfferLinkKey []byte
	// PayloadKeys encrypt every Temporal payload (payloadcrypt; the key-encryption key is kept
	// in the data directory, payload-keys.json).
	PayloadKeys *payloadcrypt.Keys
}

// Start brings everything up in dependency order; on failure it stops what it started.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	if o.DataDir == "" {
		return nil, errors.New("stack: DataDir is required")
	}
	if o.HTTPAddr == "" {
		o.HTTPAddr = "127.0.0.1:0"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.Settings == nil {
		def := award.DefaultSettings()
		o.Settings = &def
	}
	s := &Stack{}
	s.ProcessedEvents.Store(true)
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	// Fail fast on a busy port, before starting anything heavy.
	if err := checkAddr("HTTP API", o.HTTPAddr); err != nil {
		return nil, err
	}

	dsn := o.DatabaseURL
	if dsn == "" {
		pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{Dir: filepath.Join(o.DataDir, "postgres"), Port: o.PostgresPort, Logf: o.Logf})
		if err != nil {
			return nil, err
		}
		s.Postgres = pg
		s.stops = append(s.stops, func() { _ = pg.Stop() })
		if err := pg.CreateDatabase(ctx, "awards"); err != nil {
			return nil, err
		}
		dsn = pg.DSN("awards")
	}
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s.DB = db
	s.stops = append(s.stops, db.Close)
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	// The projection gauges on /metrics (read at most once a second here, for tests and demos).
	s.stops = append(s.stops, metrics.ObserveProjection(metrics.Postgres{DB: db}, time.Second))

	mc, err := devstack.StartMinIO(ctx, devstack.MinIOOptions{Binary: o.MinIOBinary, Dir: filepath.Join(o.DataDir, "minio"),
		Port: o.MinIOPort, AccessKey: minioUser, SecretKey: minioPass, Logf: o.Logf})
	if err != nil {
		return nil, err
	}
	s.MinIO = mc
	s.stops = append(s.stops, func() { _ = mc.Stop() })
	s.Objects, err = objects.Open(objects.Config{Endpoint: mc.Endpoint(), AccessKey: minioUser, SecretKey: minioPass, Bucket: Bucket})
	if err != nil {
		return nil, err
	}
	if err := s.Objects.EnsureBucket(ctx); err != nil {
		return nil, err
	}

	s.Mail, err = devmail.New(filepath.Join(o.DataDir, "mailbox.jsonl"))
	if err != nil {
		return nil, err
	}
	mailLn, err := listen("local SendGrid endpoint", fmt.Sprintf("127.0.0.1:%d", o.MailPort))
	if err != nil {
		return nil, err
	}
	s.MailURL = "http://" + mailLn.Addr().String()
	s.serveMail(mailLn)
	s.stops = append(s.stops, func() { s.StopMailEndpoint(); _ = s.Mail.Close() })

	temporalPG, err := s.temporalPostgres(ctx, o)
	if err != nil {
		return nil, err
	}
	tmp, err := devstack.StartTemporal(devstack.TemporalOptions{
		DatabaseFile: filepath.Join(o.DataDir, "temporal.sqlite"), Port: o.TemporalPort, UIPort: o.UIPort,
		Namespace: Namespace, Retention: Retention, SearchAttributes: workflows.SearchAttributeTypes(), Logf: o.Logf,
		CodecEndpoint: codecEndpoint(o.HTTPAddr), Postgres: temporalPG,
	})
	if err != nil {
		return nil, err
	}
	s.Temporal = tmp
	s.stops = append(s.stops, tmp.Stop)
	// The key-encryption key lives with the data, so a restart still reads the histories.
	kek, err := payloadcrypt.KeyFile(filepath.Join(o.DataDir, "payload-keys.json"))
	if err != nil {
		return nil, err
	}
	s.PayloadKeys = payloadcrypt.NewKeys(postgres.PayloadKeys{DB: db}, kek)
	s.Client, err = client.Dial(payloadcrypt.ClientOptions(client.Options{HostPort: tmp.HostPort(), Namespace: Namespace, Logger: quietLogger{},
		MetricsHandler: metrics.Temporal()}, s.PayloadKeys))
	if err != nil {
		return nil, fmt.Errorf("connecting to Temporal: %w", err)
	}
	s.stops = append(s.stops, s.Client.Close)

	if err := seed.Load(ctx, db, s.Objects); err != nil {
		return nil, fmt.Errorf("loading sample data: %w", err)
	}

	ln, err := listen("HTTP API", o.HTTPAddr)
	if err != nil {
		return nil, err
	}
	s.APIURL = "http://" + ln.Addr().String()
	// The key of the one-click offer links lives with the data, so links emailed before a
	// restart keep working (production sets OFFER_LINK_KEY).
	if s.OfferLinkKey, err = offertoken.KeyFile(filepath.Join(o.DataDir, "offer-link.key")); err != nil {
		return nil, err
	}
	s.acts = &activities.Activities{DB: db, Objects: s.Objects, Mail: email.NewSender(mailKey, s.MailURL), PublicURL: s.APIURL, Temporal: s.Client,
		OfferLinkKey: s.OfferLinkKey, PayloadKeys: s.PayloadKeys}
	if err := s.StartWorker(); err != nil {
		return nil, err
	}
	s.Sweeper = &journeys.Sweeper{Starter: journeys.Starter{DB: db, Temporal: s.Client}}
	s.Sweeper.Start()
	s.stops = append(s.stops, s.Sweeper.Stop)
	// The local endpoint posts SendGrid's signed "processed" event back for every accepted
	// message, as SendGrid's event webhook does.
	s.Signer, err = webhook.NewSigner()
	if err != nil {
		return nil, err
	}
	s.Mail.OnAccepted(func(m devmail.Message) { s.postProcessed(m) })
	s.http = api.NewHTTPServer("", (&api.Server{
		DB: db, Temporal: s.Client, Objects: s.Objects, Settings: *o.Settings, Limits: award.DefaultUploadLimits(),
		Mailbox: s.Mail, Webhook: &webhook.Verifier{Key: &s.Signer.Key.PublicKey},
		Namespace: Namespace, TemporalUI: s.TemporalUIURL(), PayloadKeys: s.PayloadKeys,
		// Sign-in links point at this API; the session cookie is not Secure because the
		// embedded stack serves plain HTTP on 127.0.0.1.
		SignIn: signin.New(db, email.NewSender(mailKey, s.MailURL), signin.Config{PublicURL: s.APIURL,
			Logf: func(f string, a ...any) { o.Logf("sign-in: "+f, a...) }}),
		Sessions: signin.NewSessions(db, false),
		// Council sign-in: providers on loopback http (tests' in-process provider) are allowed.
		OIDC: oidc.Config{PublicURL: s.APIURL, AllowHTTPIssuers: true},
	}).Handler())
	go func() { _ = s.http.Serve(ln) }()
	s.stops = append(s.stops, func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.http.Shutdown(c)
	})
	return s, nil
}

func (s *Stack) serveMail(ln net.Listener) {
	s.mailSrv = api.NewHTTPServer("", s.Mail.Handler())
	go func() { _ = s.mailSrv.Serve(ln) }()
}

// StopMailEndpoint takes the local SendGrid endpoint down, as an outage of the provider.
func (s *Stack) StopMailEndpoint() {
	if s.mailSrv != nil {
		_ = s.mailSrv.Close()
		s.mailSrv = nil
	}
}

// StartMailEndpoint brings the endpoint back on the same address, keeping its mailbox.
func (s *Stack) StartMailEndpoint() error {
	if s.mailSrv != nil {
		return nil
	}
	ln, err := listen("local SendGrid endpoint", strings.TrimPrefix(s.MailURL, "http://"))
	if err != nil {
		return err
	}
	s.serveMail(ln)
	return nil
}

// postProcessed posts SendGrid's "processed" event for an accepted message to the webhook.
func (s *Stack) postProcessed(m devmail.Message) {
	if !s.ProcessedEvents.Load() {
		return
	}
	to := ""
	if len(m.To) > 0 {
		to = m.To[0].Email
	}
	ev := webhook.Event{ID: "local-processed-" + m.ID, Kind: "processed", Email: to, Timestamp: m.ReceivedAt.Unix(),
		MessageID: m.ID, DedupeKey: m.CustomArgs["dedupe_key"], Tenant: m.CustomArgs["tenant"]}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := s.Signer.Request(ctx, s.APIURL+"/v1/webhooks/sendgrid", []webhook.Event{ev}, time.Now())
	if err != nil {
		return
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// StartWorker starts a worker (again, after StopWorker).
func (s *Stack) StartWorker() error {
	if s.Worker != nil {
		return nil
	}
	w := worker.New(s.Client, s.acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	s.Worker = w
	return nil
}

// StopWorker stops the worker, as if its process were killed between tasks.
func (s *Stack) StopWorker() {
	if s.Worker != nil {
		s.Worker.Stop()
		s.Worker = nil
	}
}

// TemporalUIURL is the Web UI's address, or "".
func (s *Stack) TemporalUIURL() string {
	if s.Temporal == nil {
		return ""
	}
	return s.Temporal.UIURL()
}

// Stop shuts everything down in reverse order of start.
func (s *Stack) Stop() {
	s.StopWorker()
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.stops = nil
}

// codecEndpoint is the API's codec endpoint for the Web UI (starter/api/codec.go), when the
// API's port is known before it listens ("" for port 0: the tests start no UI).
func codecEndpoint(httpAddr string) string {
	host, port, err := net.SplitHostPort(httpAddr)
	if err != nil || port == "0" || port == "" {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/v1/codec"
}

func checkAddr(what, addr string) error {
	ln, err := listen(what, addr)
	if err != nil {
		return err
	}
	return ln.Close()
}

func listen(what, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot listen on %s (is another copy running? stop it or choose another port): %v", what, addr, err)
	}
	return ln, nil
}
