package oidc

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"awardengine/storage/postgres"
)

// Store is what the package needs from the database (*postgres.DB has it).
type Store interface {
	OIDCProvider(ctx context.Context, tenantID string) (postgres.OIDCProvider, error)
	SetOIDCProvider(ctx context.Context, p postgres.OIDCProvider, actor string) (postgres.OIDCProvider, error)
	SaveOIDCFlow(ctx context.Context, f postgres.OIDCFlow) error
	TakeOIDCFlow(ctx context.Context, stateHash, browserHash []byte) (postgres.OIDCFlow, error)
	OIDCIdentity(ctx context.Context, tenantID, issuer, subject string) (postgres.Person, error)
	PersonByEmail(ctx context.Context, tenantID, email string) (postgres.Person, error)
	LinkOIDCIdentity(ctx context.Context, tenantID, issuer, subject, personID string) error
	// HitRateLimit counts a request in a bucket's fixed window (services/signin's counters).
	HitRateLimit(ctx context.Context, bucket string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// SignInFunc starts the person's session (services/signin) once the provider vouched for
// them; an error is answered as a server error, with nothing signed in.
type SignInFunc func(w http.ResponseWriter, r *http.Request, tenantID, personID string) error

// Config is the package's dependencies and settings.
type Config struct {
	Store  Store
	SignIn SignInFunc
	// PublicURL is the product's base URL; the redirect URI registered at each provider is
	// PublicURL + "/signin/oidc/<tenant>/callback".
	PublicURL string
	// AfterSignIn is where a signed-in person is sent ("/" if empty).
	AfterSignIn string
	// InsecureCookies drops the cookie's Secure flag, for plain-HTTP development only.
	InsecureCookies bool
	// AllowHTTPIssuers accepts http:// issuers on loopback addresses (tests, development).
	AllowHTTPIssuers bool
	// Secret returns a tenant's client secret ("" = public client); the default reads
	// the environment variable SecretEnvName(tenantID). It is never logged.
	Secret func(tenantID string) string
	// HTTPClient talks to providers (discovery, keys, token exchange); its Timeout bounds each
	// call. Default: a client with a 10-second timeout.
	HTTPClient *http.Client
	// DiscoveryTTL is how long a provider's discovery document is kept (default an hour).
	DiscoveryTTL time.Duration
	// Refused shows a refusal (default WriteRefusal, an HTML page).
	Refused func(w http.ResponseWriter, r *http.Request, ref *Refusal)
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// StartsPerAddress bounds the sign-ins one network address starts in ten minutes (each
	// stores a row until it expires); default 120, generous for a council behind one NAT.
	StartsPerAddress int
}

// SecretEnvName is the environment variable holding a tenant's client secret: OIDC_SECRET_
// and the tenant id in capitals, anything but letters and digits as "_" (tenant
// "northshire-cc" reads OIDC_SECRET_NORTHSHIRE_CC).
func SecretEnvName(tenantID string) string {
	name := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return '_'
	}, tenantID)
	return "OIDC_SECRET_" + name
}

func secretFromEnv(tenantID string) string { return os.Getenv(SecretEnvName(tenantID)) }

// FieldError names the field of a provider's settings that is wrong and why.
type FieldError struct {
	Field, Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// CheckProvider refuses settings that cannot work or would be unsafe, naming the field. It
// trims the text fields it keeps.
func CheckProvider(p *postgres.OIDCProvider, allowHTTP bool) error {
	p.Issuer = strings.TrimSpace(p.Issuer)
	p.ClientID = strings.TrimSpace(p.ClientID)
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	if err := checkIssuer(p.Issuer, allowHTTP); err != nil {
		return err
	}
	if p.ClientID == "" || len(p.ClientID) > 200 {
		return &FieldError{"client_id", "give the client (application) id registered at your provider, at most 200 characters"}
	}
	if p.DisplayName == "" || len([]rune(p.DisplayName)) > 80 {
		return &FieldError{"display_name", `give the button's words, e.g. "Sign in with Northshire Council", at most 80 characters`}
	}
	return nil
}

// checkIssuer accepts one exact issuer URL: https (http only on loopback when allowed), no
// query, fragment or credentials, and for Microsoft Entra ID a directory, not the
// multi-tenant "common", "organizations" or "consumers" endpoints (their discovery documents
// name no single issuer, and accepting them would let any directory's accounts in).
func checkIssuer(issuer string, allowHTTP bool) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return &FieldError{"issuer", "give the provider's issuer as a full URL, e.g. https://login.microsoftonline.com/<directory-id>/v2.0"}
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(issuer, "*?#") {
		return &FieldError{"issuer", "the issuer is one exact URL, with no wildcard, query or credentials"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP && isLoopback(u.Hostname()):
	default:
		return &FieldError{"issuer", "the issuer must be an https:// URL"}
	}
	if strings.EqualFold(u.Hostname(), "login.microsoftonline.com") {
		first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		switch strings.ToLower(first) {
		case "", "common", "organizations", "consumers":
			return &FieldError{"issuer", "for Microsoft Entra ID give your directory's issuer, https://login.microsoftonline.com/<directory-id>/v2.0, not common, organizations or consumers"}
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *Config) defaults() error {
	if c.Store == nil || c.SignIn == nil {
		return fmt.Errorf("oidc: Store and SignIn are required")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("oidc: PublicURL %q is not a base URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.AfterSignIn == "" {
		c.AfterSignIn = "/"
	}
	if c.Secret == nil {
		c.Secret = secretFromEnv
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.DiscoveryTTL == 0 {
		c.DiscoveryTTL = time.Hour
	}
	if c.Refused == nil {
		c.Refused = WriteRefusal
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.StartsPerAddress == 0 {
		c.StartsPerAddress = 120
	}
	return nil
}
