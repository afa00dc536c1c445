// Package config reads the settings of the worker and web/API processes from the environment,
// so the same binaries run on the embedded dev stack, in docker-compose and in Kubernetes.
package config

import (
	"fmt"
	"net/url"
	"os"
	"strconv"

	"awardengine/services/offerlinks/offertoken"
	"awardengine/storage/objects"
)

// Config is what the worker and the API need to reach their dependencies.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	Objects           objects.Config
	SendGridAPIKey    string
	SendGridURL       string
	// PublicURL is the product's public base URL: emailed links (sign-in links included) point at it.
	PublicURL string
	// SessionCookieSecure marks the browser session cookie Secure (HTTPS only). Unless
	// SESSION_COOKIE_SECURE says otherwise, it is on except when PUBLIC_URL is plain HTTP on
	// this machine (localhost, 127.0.0.1, ::1): development, where a Secure cookie would never
	// come back.
	SessionCookieSecure bool
	HTTPAddr            string
	TemporalUIURL       string
	// WebhookPublicKey is SendGrid's event-webhook verification key (base64 DER); "" disables the endpoint.
	WebhookPublicKey string
	// OfferLinkKey (OFFER_LINK_KEY, base64 of 32+ random bytes) signs the one-click links of
	// offer emails (services/offerlinks/offertoken). The worker requires it; the API never
	// needs it (it only hashes the links it is given).
	OfferLinkKey []byte
}

// FromEnv reads the configuration; it names every missing required variable at once.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL:       os.Getenv("DATABASE_URL"),
		TemporalAddress:   env("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace: env("TEMPORAL_NAMESPACE", "awards"),
		Objects: objects.Config{
			Endpoint:  os.Getenv("S3_ENDPOINT"),
			AccessKey: os.Getenv("S3_ACCESS_KEY"),
			SecretKey: os.Getenv("S3_SECRET_KEY"),
			Bucket:    env("S3_BUCKET", "awards"),
			Region:    env("S3_REGION", "us-east-1"),
			PublicURL: os.Getenv("S3_PUBLIC_URL"),
		},
		SendGridAPIKey:   os.Getenv("SENDGRID_API_KEY"),
		SendGridURL:      env("SENDGRID_API_URL", "https://api.sendgrid.com"),
		PublicURL:        env("PUBLIC_URL", "http://127.0.0.1:8080"),
		HTTPAddr:         env("HTTP_ADDR", ":8080"),
		TemporalUIURL:    os.Getenv("TEMPORAL_UI_URL"),
		WebhookPublicKey: os.Getenv("SENDGRID_WEBHOOK_PUBLIC_KEY"),
	}
	if v := os.Getenv("S3_SECURE"); v != "" {
		secure, err := strconv.ParseBool(v)
		if err != nil { // "yes" must not quietly mean plain HTTP
			return c, fmt.Errorf("S3_SECURE=%q: want true or false", v)
		}
		c.Objects.Secure = secure
	}
	if v := os.Getenv("OFFER_LINK_KEY"); v != "" {
		key, err := offertoken.ParseKey(v)
		if err != nil {
			return c, err
		}
		c.OfferLinkKey = key
	}
	c.SessionCookieSecure = !plainHTTPLoopback(c.PublicURL)
	if v := os.Getenv("SESSION_COOKIE_SECURE"); v != "" {
		secure, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("SESSION_COOKIE_SECURE=%q: want true or false", v)
		}
		c.SessionCookieSecure = secure
	}
	var missing []string
	for name, v := range map[string]string{
		"DATABASE_URL": c.DatabaseURL, "S3_ENDPOINT": c.Objects.Endpoint, "S3_ACCESS_KEY": c.Objects.AccessKey,
		"S3_SECRET_KEY": c.Objects.SecretKey, "SENDGRID_API_KEY": c.SendGridAPIKey,
	} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("missing environment variables: %v", missing)
	}
	return c, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// plainHTTPLoopback says whether a URL is http:// on this machine.
func plainHTTPLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}
