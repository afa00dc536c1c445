// Command starter is the client side of award journeys: `starter serve` runs the HTTP API;
// every other command is the command-line client of that API (see `starter help`).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"awardengine/award"
	"awardengine/config"
	"awardengine/email"
	"awardengine/email/webhook"
	"awardengine/health"
	"awardengine/logging"
	"awardengine/metrics"
	"awardengine/services/oidc"
	"awardengine/services/signin"
	"awardengine/starter/api"
	"awardengine/starter/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		if err := serve(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "starter serve:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func serve(ctx context.Context) error {
	ops, err := config.OpsFromEnv()
	if err != nil {
		return err
	}
	slog.SetDefault(logging.New(os.Stderr, ops.LogFormat, ops.LogLevel))
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	deps, err := config.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer deps.Close()
	defer metrics.ObserveProjection(metrics.Postgres{DB: deps.DB}, metrics.DefaultMaxAge)()
	checks := &health.Checks{Temporal: deps.Temporal, DB: deps.DB.Pool(), Objects: deps.Objects}
	var verifier *webhook.Verifier
	if cfg.WebhookPublicKey != "" {
		key, err := webhook.ParsePublicKey(cfg.WebhookPublicKey)
		if err != nil {
			return fmt.Errorf("SENDGRID_WEBHOOK_PUBLIC_KEY: %w", err)
		}
		verifier = &webhook.Verifier{Key: key}
	}
	srv := api.NewHTTPServer(cfg.HTTPAddr, (&api.Server{
		DB: deps.DB, Temporal: deps.Temporal, Namespace: cfg.TemporalNamespace, Objects: deps.Objects, Settings: award.DefaultSettings(), Limits: award.DefaultUploadLimits(), Webhook: verifier,
		TemporalUI: cfg.TemporalUIURL, PayloadKeys: deps.PayloadKeys, // the codec endpoint for the Web UI
		SignIn: signin.New(deps.DB, email.NewSender(cfg.SendGridAPIKey, cfg.SendGridURL), signin.Config{PublicURL: cfg.PublicURL,
			Logf: func(f string, a ...any) { slog.Warn(fmt.Sprintf("sign-in: "+f, a...)) }}),
		Sessions: signin.NewSessions(deps.DB, cfg.SessionCookieSecure),
		OIDC:     oidc.Config{PublicURL: cfg.PublicURL},
		Health:   checks,
	}).Handler())
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	slog.Info("API listening", "addr", ln.Addr().String())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// SIGTERM: /readyz fails from now on, no new connections are taken, and requests in
	// flight finish within the grace (a journey's Update waits at most 30 s).
	began := time.Now()
	slog.Info("API draining", "grace", ops.ShutdownGrace.String())
	checks.Drain()
	shutdown, cancel := context.WithTimeout(context.Background(), ops.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
		return fmt.Errorf("requests still running after the %v grace were cut off: %w", ops.ShutdownGrace, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	slog.Info("API stopped", "took_ms", time.Since(began).Milliseconds())
	return nil
}
