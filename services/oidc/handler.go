package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"awardengine/storage/postgres"
)

const (
	// browserCookie binds a sign-in under way to the browser that started it. Served over
	// HTTPS it is the __Host- cookie (Secure, path /, no Domain), which a neighbouring
	// subdomain cannot set for us: a binding planted by someone else would let them finish
	// their own sign-in in this browser (signing the victim in as the attacker).
	browserCookie       = "award_oidc_browser"
	secureBrowserCookie = "__Host-award_oidc_browser"
	flowLifetime        = 10 * time.Minute
)

// Handler serves a tenant's sign-in routes; the tenant is the {tenant} path value.
type Handler struct {
	cfg       Config
	providers *providers
}

// New checks the configuration and returns the handler.
func New(cfg Config) (*Handler, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg, providers: &providers{
		client: cfg.HTTPClient, ttl: cfg.DiscoveryTTL, now: cfg.Now, byName: map[string]cachedProvider{}}}, nil
}

// Routes registers GET /signin/oidc/{tenant} and its callback on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin/oidc/{tenant}", h.Start)
	mux.HandleFunc("GET /signin/oidc/{tenant}/callback", h.Callback)
}

// CallbackURL is the redirect URI to register at a tenant's provider.
func (h *Handler) CallbackURL(tenantID string) string {
	return h.cfg.PublicURL + "/signin/oidc/" + url.PathEscape(tenantID) + "/callback"
}

// client is one tenant's view of its provider: its own issuer and client id, so a token a
// provider issued for another tenant's client fails the audience check here.
type client struct {
	tenantID string
	issuer   string
	provider *gooidc.Provider
	oauth    oauth2.Config
}

func (h *Handler) client(ctx context.Context, tenantID string) (*client, error) {
	cfg, err := h.cfg.Store.OIDCProvider(ctx, tenantID)
	if errors.Is(err, postgres.ErrNotFound) || (err == nil && !cfg.Enabled) {
		return nil, errNotConfigured
	}
	if err != nil {
		return nil, err
	}
	provider, err := h.providers.get(ctx, cfg.Issuer)
	if err != nil {
		slog.Warn("oidc: provider discovery failed", "tenant", tenantID, "issuer", cfg.Issuer, "error", err)
		return nil, errProviderDown
	}
	return &client{
		tenantID: tenantID,
		issuer:   cfg.Issuer,
		provider: provider,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: h.cfg.Secret(tenantID),
			Endpoint:     provider.Endpoint(),
			RedirectURL:  h.CallbackURL(tenantID),
			Scopes:       []string{gooidc.ScopeOpenID, "email", "profile"},
		},
	}, nil
}

// Start begins a sign-in: it stores the state, nonce and PKCE verifier server-side, bound to
// this browser's cookie, and sends the browser to the provider.
func (h *Handler) Start(w http.ResponseWriter, r *http.Request) {
	tenantID := r.PathValue("tenant")
	c, err := h.client(r.Context(), tenantID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.limitStarts(r); err != nil {
		h.fail(w, r, err)
		return
	}
	browser := h.browser(w, r)
	state, nonce := randomText(), randomText()
	verifier := oauth2.GenerateVerifier()
	if err := h.cfg.Store.SaveOIDCFlow(r.Context(), postgres.OIDCFlow{
		StateHash: hash(state), TenantID: tenantID, BrowserHash: hash(browser),
		Nonce: nonce, CodeVerifier: verifier, ExpiresAt: h.cfg.Now().Add(flowLifetime),
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, c.oauth.AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// limitStarts counts a sign-in started from the request's network address (kept as a hash).
func (h *Handler) limitStarts(r *http.Request) error {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	sum := sha256.Sum256([]byte(addr))
	ok, wait, err := h.cfg.Store.HitRateLimit(r.Context(), "oidc-start:"+hex.EncodeToString(sum[:16]), h.cfg.StartsPerAddress, flowLifetime)
	if err != nil {
		return err
	}
	if !ok {
		minutes := max(1, int(math.Ceil(wait.Minutes())))
		return refuse(http.StatusTooManyRequests, "oidc-rate-limited", "Too many sign-ins started from here",
			fmt.Sprintf("Try again in %d minute%s.", minutes, map[bool]string{true: "", false: "s"}[minutes == 1]))
	}
	return nil
}

// browser returns this browser's binding, setting a new random one if it has none. It is
// reused across tabs and renewed with each sign-in started.
func (h *Handler) browser(w http.ResponseWriter, r *http.Request) string {
	name, path := h.browserCookie()
	value := ""
	if c, err := r.Cookie(name); err == nil && len(c.Value) == 43 {
		value = c.Value
	} else {
		value = randomText()
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path,
		MaxAge: int(flowLifetime / time.Second), HttpOnly: true, Secure: !h.cfg.InsecureCookies,
		SameSite: http.SameSiteLaxMode, // sent on the provider's top-level redirect back
	})
	return value
}

// browserCookie is the binding cookie's name and path: __Host- over HTTPS; for plain-HTTP
// development (no Secure flag, so no prefix) a plain name scoped to the sign-in routes.
func (h *Handler) browserCookie() (name, path string) {
	if h.cfg.InsecureCookies {
		return browserCookie, "/signin/oidc/"
	}
	return secureBrowserCookie, "/"
}

// Callback finishes a sign-in started by Start in this browser for this tenant.
func (h *Handler) Callback(w http.ResponseWriter, r *http.Request) {
	tenantID := r.PathValue("tenant")
	personID, err := h.finish(r, tenantID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.cfg.SignIn(w, r, tenantID, personID); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, h.cfg.AfterSignIn, http.StatusSeeOther)
}

func (h *Handler) finish(r *http.Request, tenantID string) (string, error) {
	ctx := r.Context()
	q := r.URL.Query()
	name, _ := h.browserCookie()
	cookie, err := r.Cookie(name)
	state := q.Get("state")
	if err != nil || state == "" {
		return "", errFlowUnknown
	}
	// The flow is taken (deleted) before anything else: whatever happens next, this state
	// cannot be used again.
	flow, err := h.cfg.Store.TakeOIDCFlow(ctx, hash(state), hash(cookie.Value))
	if errors.Is(err, postgres.ErrNotFound) {
		return "", errFlowUnknown
	}
	if err != nil {
		return "", err
	}
	if flow.TenantID != tenantID {
		return "", errFlowUnknown // started for another tenant: never finished here
	}
	if q.Get("error") != "" {
		return "", errProviderRefused // the provider's own words are not shown: they are not ours to vouch for
	}
	code := q.Get("code")
	if code == "" {
		return "", errProviderRefused
	}
	c, err := h.client(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if iss := q.Get("iss"); iss != "" && iss != c.issuer {
		return "", errProviderRefused // RFC 9207: the answer names another provider (a mix-up)
	}
	exchangeCtx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, h.cfg.HTTPClient), 15*time.Second)
	defer cancel()
	token, err := c.oauth.Exchange(exchangeCtx, code, oauth2.VerifierOption(flow.CodeVerifier))
	if err != nil {
		slog.Info("oidc: code exchange refused", "tenant", tenantID, "error", redactedOAuthError(err))
		return "", errProviderRefused
	}
	claims, err := c.verify(exchangeCtx, token, flow.Nonce)
	if err != nil {
		slog.Info("oidc: ID token refused", "tenant", tenantID, "error", err)
		return "", errTokenInvalid
	}
	p, err := h.staffMember(ctx, tenantID, c.issuer, claims)
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ref *Refusal
	if !errors.As(err, &ref) {
		slog.Error("oidc: sign-in failed", "path", r.URL.Path, "error", err)
		ref = refuse(http.StatusInternalServerError, "oidc-failed", "Something went wrong signing you in",
			"Nothing was changed. Try again in a few minutes.")
	}
	h.cfg.Refused(w, r, ref)
}

// redactedOAuthError keeps the provider's error code and drops its description and the
// response body, which can carry anything.
func redactedOAuthError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return "provider answered " + re.ErrorCode
		}
		if re.Response != nil {
			return "provider answered HTTP " + re.Response.Status
		}
	}
	return err.Error()
}

func randomText() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}
