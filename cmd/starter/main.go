// Command starter is the client side of award journeys: `starter serve` runs the HTTP API;
// every other command is the command-line client of that API (see `starter help`).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"awardengine/award"
	"awardengine/config"
	"awardengine/email"
	"awardengine/email/webhook"
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
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	deps, err := config.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer deps.Close()
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
	}).Handler())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("API listening", "addr", cfg.HTTPAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
