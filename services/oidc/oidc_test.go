package oidc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"awardengine/services/oidc/oidctest"
	"awardengine/storage/postgres"
)

// fixture: the product (this package's handler on httptest) and two real providers. Tenant
// a signs in at provider A with client award-a, tenant c at the same provider A with its own
// client award-c, tenant b at provider B with client award-b.
type fixture struct {
	product  string
	store    *memStore
	opA, opB *oidctest.Provider
	h        *Handler

	mu      sync.Mutex
	signIns []string // tenant/person, in order
}

func setup(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: newMemStore()}
	var handler http.Handler
	product := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(product.Close)
	f.product = product.URL
	callback := func(tenant string) string { return product.URL + "/signin/oidc/" + tenant + "/callback" }
	f.opA = oidctest.StartProvider(t, map[string]string{"award-a": callback("a"), "award-c": callback("c")})
	f.opB = oidctest.StartProvider(t, map[string]string{"award-b": callback("b")})
	for tenant, op := range map[string]*oidctest.Provider{"a": f.opA, "b": f.opB, "c": f.opA} {
		f.store.providers[tenant] = postgres.OIDCProvider{TenantID: tenant, Issuer: op.Issuer(), ClientID: "award-" + tenant,
			DisplayName: "Sign in with Council " + tenant, Enabled: true}
	}
	f.store.providers["off"] = postgres.OIDCProvider{TenantID: "off", Issuer: f.opA.Issuer(), ClientID: "award-a", DisplayName: "x", Enabled: false}

	h, err := New(Config{
		Store: f.store, PublicURL: product.URL, InsecureCookies: true, AllowHTTPIssuers: true,
		Secret: func(tenant string) string { return oidctest.SecretOf("award-" + tenant) },
		SignIn: func(w http.ResponseWriter, r *http.Request, tenantID, personID string) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.signIns = append(f.signIns, tenantID+"/"+personID)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	mux := http.NewServeMux()
	h.Routes(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("home")) })
	handler = mux
	return f
}

func (f *fixture) signedIn() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.signIns...)
}

// expectSignedIn checks the callback answered by sending the browser home and that exactly
// these sign-ins were started.
func (f *fixture) expectSignedIn(t *testing.T, p oidctest.Page, want ...string) {
	t.Helper()
	if p.Status != http.StatusOK || p.Body != "home" {
		t.Fatalf("expected to land home signed in, got %d at %s: %.300s", p.Status, p.URL, p.Body)
	}
	if got := f.signedIn(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sign-ins started: got %v, want %v", got, want)
	}
}

// expectRefused checks a refusal page of this type and that no sign-in was started since.
func (f *fixture) expectRefused(t *testing.T, p oidctest.Page, status int, title string, signInsBefore int) {
	t.Helper()
	if p.Status != status || !strings.Contains(p.Body, title) {
		t.Fatalf("expected %d %q, got %d at %s: %.400s", status, title, p.Status, p.URL, p.Body)
	}
	if got := f.signedIn(); len(got) != signInsBefore {
		t.Fatalf("a refused sign-in started a session: %v", got)
	}
}

func TestSignInLinksTheInvitedStaffMemberOnceThenMatchesTheSubject(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-ann", "ann", "Ann@Council-A.example", true)
	f.store.addPerson("a", "p-ann", "ann@council-a.example", true, postgres.RoleAssessor)

	b := oidctest.NewBrowser(t, f.product)
	f.expectSignedIn(t, b.Get(b.UntilCallback(f.product+"/signin/oidc/a", "ann")), "a/p-ann")
	if f.store.links != 1 {
		t.Fatalf("the account was linked %d times, want 1", f.store.links)
	}

	// The council changes her address: the subject still signs her in, nothing re-links.
	// (The discovery document was read once: it is cached.)
	f.opA.SetEmail("sub-ann", "ann.smith@council-a.example")
	f.expectSignedIn(t, b.Get(b.UntilCallback(f.product+"/signin/oidc/a", "ann")), "a/p-ann", "a/p-ann")
	if f.store.links != 1 {
		t.Fatalf("a changed email re-linked the account (%d links)", f.store.links)
	}
	if n := f.opA.Discoveries(); n != 1 {
		t.Fatalf("the discovery document was read %d times for two sign-ins, want 1 (cached)", n)
	}
}

func TestASecondAccountWithTheSameEmailIsRefused(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-ann", "ann", "ann@council-a.example", true)
	f.opA.AddUser("sub-impostor", "impostor", "ann@council-a.example", true)
	f.store.addPerson("a", "p-ann", "ann@council-a.example", true, postgres.RoleModerator)

	f.expectSignedIn(t, untilCallbackAndFollow(oidctest.NewBrowser(t, f.product), f.product+"/signin/oidc/a", "ann"), "a/p-ann")
	f.expectRefused(t, untilCallbackAndFollow(oidctest.NewBrowser(t, f.product), f.product+"/signin/oidc/a", "impostor"),
		http.StatusForbidden, "already linked to a different council account", 1)
}

// untilCallbackAndFollow signs in from the product's sign-in URL start and follows the provider's
// answer to the product's callback.
func untilCallbackAndFollow(b *oidctest.Browser, start, username string) oidctest.Page {
	return b.Get(b.UntilCallback(start, username))
}

func TestNobodyMatchingIsRefusedWithAClearPage(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-stranger", "stranger", "stranger@council-a.example", true)
	f.opA.AddUser("sub-applicant", "applicant", "parent@home.example", true)
	f.opA.AddUser("sub-unverified", "unverified", "una@council-a.example", false)
	f.opA.AddUser("sub-gone", "gone", "gone@council-a.example", true)
	f.store.addPerson("a", "p-applicant", "parent@home.example", true, postgres.RoleApplicant)
	f.store.addPerson("a", "p-una", "una@council-a.example", true, postgres.RoleAssessor)
	f.store.addPerson("a", "p-gone", "gone@council-a.example", false, postgres.RoleAssessor)

	for _, c := range []struct {
		user   string
		status int
		title  string
	}{
		{"stranger", http.StatusForbidden, "ask your award team to invite you"},
		{"applicant", http.StatusForbidden, "ask your award team to invite you"}, // applicants sign in by email link
		{"unverified", http.StatusForbidden, "did not confirm your email address"},
		{"gone", http.StatusForbidden, "Your account here is not active"},
	} {
		p := untilCallbackAndFollow(oidctest.NewBrowser(t, f.product), f.product+"/signin/oidc/a", c.user)
		f.expectRefused(t, p, c.status, strings.ReplaceAll(c.title, "ask your", "Ask your"), 0)
	}
	if f.store.links != 0 {
		t.Fatalf("a refused account was linked")
	}
}

func TestWrongOrReplayedStateIsRefused(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-ann", "ann", "ann@council-a.example", true)
	f.store.addPerson("a", "p-ann", "ann@council-a.example", true, postgres.RoleAdmin)
	b := oidctest.NewBrowser(t, f.product)

	callback := b.UntilCallback(f.product+"/signin/oidc/a", "ann")
	f.expectRefused(t, b.Get(withQuery(t, callback, "state", "forged-state")), http.StatusBadRequest, "expired or was started in another browser", 0)
	f.expectRefused(t, b.Get(withQuery(t, callback, "state", "")), http.StatusBadRequest, "expired or was started in another browser", 0)

	// Another browser (no cookie, or its own) cannot finish this browser's sign-in.
	f.expectRefused(t, oidctest.NewBrowser(t, f.product).Get(callback), http.StatusBadRequest, "started in another browser", 0)
	other := oidctest.NewBrowser(t, f.product)
	other.Get(f.product + "/signin/oidc/a") // gets its own cookie
	f.expectRefused(t, other.Get(callback), http.StatusBadRequest, "started in another browser", 0)

	// An answer naming another issuer (RFC 9207) is a mix-up: refused, and the sign-in used up.
	mixedUp := b.UntilCallback(f.product+"/signin/oidc/a", "ann")
	f.expectRefused(t, b.Get(withQuery(t, mixedUp, "iss", f.opB.Issuer())), http.StatusBadRequest, "did not sign you in", 0)
	f.expectRefused(t, b.Get(mixedUp), http.StatusBadRequest, "expired or was started in another browser", 0)

	// The right browser finishes it once; the same callback again is refused.
	f.expectSignedIn(t, b.Get(callback), "a/p-ann")
	f.expectRefused(t, b.Get(callback), http.StatusBadRequest, "expired or was started in another browser", 1)
}

func TestWrongOrMissingNonceIsRefused(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-ann", "ann", "ann@council-a.example", true)
	f.store.addPerson("a", "p-ann", "ann@council-a.example", true, postgres.RoleAssessor)
	b := oidctest.NewBrowser(t, f.product)

	// The provider puts this sign-in's nonce in the ID token; the flow expects another.
	callback := b.UntilCallback(f.product+"/signin/oidc/a", "ann")
	f.store.lastFlow(func(fl *postgres.OIDCFlow) { fl.Nonce = "another-sign-ins-nonce" })
	f.expectRefused(t, b.Get(callback), http.StatusBadRequest, "could not be verified", 0)

	// A second flow's code presented with the first flow's state: the first flow's verifier
	// does not match the code's challenge, so the provider refuses the exchange.
	first := b.UntilCallback(f.product+"/signin/oidc/a", "ann")
	second := b.UntilCallback(f.product+"/signin/oidc/a", "ann")
	mixed := withQuery(t, first, "code", query(t, second, "code"))
	f.expectRefused(t, b.Get(mixed), http.StatusBadRequest, "did not sign you in", 0)

	// An authorization request made without a nonce (straight at the provider, with a flow
	// stored as Start would store it): the ID token has none, and is refused.
	verifier, state := oauth2.GenerateVerifier(), "state-without-nonce"
	cookie := bindingCookie(t, b, f.product+"/signin/oidc/a/callback")
	if err := f.store.SaveOIDCFlow(context.Background(), postgres.OIDCFlow{StateHash: hash(state), TenantID: "a",
		BrowserHash: hash(cookie), Nonce: "expected-nonce", CodeVerifier: verifier, ExpiresAt: f.store.now().Add(flowLifetime)}); err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "award-a", RedirectURL: f.product + "/signin/oidc/a/callback", Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: f.opA.Issuer() + "/auth"}}
	noNonce := b.LogIn(b.Get(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))), "ann")
	f.expectRefused(t, b.Get(noNonce), http.StatusBadRequest, "could not be verified", 0)
}

func TestAStaffMemberOfTenantACannotSignInToTenantB(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-ann", "ann", "ann@council-a.example", true)
	// The same address is on the team of b and c too: only the provider decides, not the email.
	f.store.addPerson("a", "p-ann-a", "ann@council-a.example", true, postgres.RoleAssessor)
	f.store.addPerson("b", "p-ann-b", "ann@council-a.example", true, postgres.RoleAssessor)
	f.store.addPerson("c", "p-ann-c", "ann@council-a.example", true, postgres.RoleAssessor)
	b := oidctest.NewBrowser(t, f.product)

	// A's callback, presented at B's: the sign-in under way belongs to a.
	callbackA := b.UntilCallback(f.product+"/signin/oidc/a", "ann")
	atB := strings.Replace(callbackA, "/signin/oidc/a/", "/signin/oidc/b/", 1)
	f.expectRefused(t, b.Get(atB), http.StatusBadRequest, "expired or was started in another browser", 0)

	// A's code with a sign-in genuinely started at B: B's provider knows nothing of it.
	codeA := query(t, b.UntilCallback(f.product+"/signin/oidc/a", "ann"), "code")
	b.Get(f.product + "/signin/oidc/b") // starts B's flow; stops at B's provider's login form
	stateB := b.LastAuthState()
	f.expectRefused(t, b.Get(f.product+"/signin/oidc/b/callback?"+url.Values{"code": {codeA}, "state": {stateB}}.Encode()),
		http.StatusBadRequest, "did not sign you in", 0)

	// Tenant c uses the same provider with its own client: a's code is not c's.
	codeA = query(t, b.UntilCallback(f.product+"/signin/oidc/a", "ann"), "code")
	b.Get(f.product + "/signin/oidc/c")
	stateC := b.LastAuthState()
	f.expectRefused(t, b.Get(f.product+"/signin/oidc/c/callback?"+url.Values{"code": {codeA}, "state": {stateC}}.Encode()),
		http.StatusBadRequest, "did not sign you in", 0)

	// And signing in to c properly works, as c's own person.
	f.expectSignedIn(t, untilCallbackAndFollow(b, f.product+"/signin/oidc/c", "ann"), "c/p-ann-c")
}

// Each tenant's verifier is built from its own issuer and client id: a genuine ID token that
// provider A issued to tenant a's client verifies for a, and for nobody else, whichever way it
// is presented (b: signed by a key provider B does not have; c: the same provider, another
// client).
func TestATokenIssuedForOneTenantFailsEveryOtherTenantsVerifier(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-ann", "ann", "ann@council-a.example", true)
	ctx := context.Background()
	provider, err := gooidc.NewProvider(ctx, f.opA.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "award-a", ClientSecret: oidctest.SecretOf("award-a"), Endpoint: provider.Endpoint(),
		RedirectURL: f.product + "/signin/oidc/a/callback", Scopes: []string{"openid", "email"}}
	verifier, nonce := oauth2.GenerateVerifier(), "the-nonce"
	b := oidctest.NewBrowser(t, f.product)
	callback := b.LogIn(b.Get(conf.AuthCodeURL("state", gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))), "ann")
	token, err := conf.Exchange(ctx, query(t, callback, "code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	for tenant, want := range map[string]string{"a": "", "b": "signature", "c": "audience"} {
		c, err := f.h.client(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.verify(ctx, token, nonce)
		switch {
		case want == "" && err != nil:
			t.Errorf("tenant a's own token refused: %v", err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("tenant %s: a's token gave %v, want a refusal for its %s", tenant, err, want)
		}
	}
}

func TestUnconfiguredOrDisabledTenantIsRefused(t *testing.T) {
	f := setup(t)
	for _, tenant := range []string{"off", "nobody"} {
		f.expectRefused(t, oidctest.NewBrowser(t, f.product).Get(f.product+"/signin/oidc/"+tenant), http.StatusNotFound, "not set up here", 0)
	}
}

func TestProviderDownIsSaidTruly(t *testing.T) {
	f := setup(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	f.store.providers["a"] = postgres.OIDCProvider{TenantID: "a", Issuer: dead.URL, ClientID: "award-a", DisplayName: "x", Enabled: true}
	f.expectRefused(t, oidctest.NewBrowser(t, f.product).Get(f.product+"/signin/oidc/a"), http.StatusBadGateway, "not answering", 0)
}

func TestAProviderThatHangsIsGivenUpOn(t *testing.T) {
	f := setup(t)
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	defer close(release)
	f.store.providers["a"] = postgres.OIDCProvider{TenantID: "a", Issuer: hanging.URL, ClientID: "award-a", DisplayName: "x", Enabled: true}
	f.h.providers.client = &http.Client{Timeout: 200 * time.Millisecond}
	start := time.Now()
	f.expectRefused(t, oidctest.NewBrowser(t, f.product).Get(f.product+"/signin/oidc/a"), http.StatusBadGateway, "not answering", 0)
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("waited %s for a hanging provider", waited)
	}
}

func TestCheckProvider(t *testing.T) {
	good := postgres.OIDCProvider{Issuer: " https://login.microsoftonline.com/0a1b2c3d-0000-4000-8000-000000000000/v2.0 ",
		ClientID: "client", DisplayName: "Sign in with Northshire Council"}
	if err := CheckProvider(&good, false); err != nil || strings.HasPrefix(good.Issuer, " ") {
		t.Fatalf("a directory's Entra issuer: %v (%q)", err, good.Issuer)
	}
	for _, issuer := range []string{
		"https://login.microsoftonline.com/common/v2.0",
		"https://login.microsoftonline.com/organizations/v2.0",
		"https://login.microsoftonline.com/*/v2.0",
		"http://idp.example",
		"http://127.0.0.1:9000", // http only when allowed
		"https://user:pw@idp.example",
		"https://idp.example/?x=1",
		"idp.example",
		"",
	} {
		p := postgres.OIDCProvider{Issuer: issuer, ClientID: "c", DisplayName: "d"}
		var fe *FieldError
		if err := CheckProvider(&p, false); !errors.As(err, &fe) || fe.Field != "issuer" {
			t.Errorf("issuer %q: got %v, want a refusal naming issuer", issuer, err)
		}
	}
	loop := postgres.OIDCProvider{Issuer: "http://127.0.0.1:9000", ClientID: "c", DisplayName: "d"}
	if err := CheckProvider(&loop, true); err != nil {
		t.Errorf("loopback http allowed in development: %v", err)
	}
	if got := SecretEnvName("northshire-cc"); got != "OIDC_SECRET_NORTHSHIRE_CC" {
		t.Errorf("SecretEnvName: %s", got)
	}
}

func withQuery(t *testing.T, raw, key, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func query(t *testing.T, raw, key string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}

func bindingCookie(t *testing.T, b *oidctest.Browser, at string) string {
	t.Helper()
	u, _ := url.Parse(at)
	for _, c := range b.Jar().Cookies(u) {
		if c.Name == browserCookie {
			return c.Value
		}
	}
	t.Fatal("no browser cookie")
	return ""
}

// Served over HTTPS the binding is a __Host- cookie: Secure, HttpOnly, SameSite=Lax, path /.
func TestTheBrowserCookieOverHTTPS(t *testing.T) {
	f := setup(t)
	h, err := New(Config{Store: f.store, PublicURL: "https://award.example", AllowHTTPIssuers: true,
		SignIn: func(http.ResponseWriter, *http.Request, string, string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://award.example/signin/oidc/a", nil))
	if rec.Code != http.StatusFound {
		t.Fatalf("start: %d %s", rec.Code, rec.Body)
	}
	cookie := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"__Host-award_oidc_browser=", "Path=/;", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %q", cookie, want)
		}
	}
	loc, _ := url.Parse(rec.Header().Get("Location"))
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("redirect_uri") != "https://award.example/signin/oidc/a/callback" || q.Get("client_id") != "award-a" {
		t.Errorf("authorization request %s", loc)
	}
}

func TestStartsAreLimitedPerAddress(t *testing.T) {
	f := setup(t)
	f.h.cfg.StartsPerAddress = 2
	b := oidctest.NewBrowser(t, f.product)
	for range 2 {
		if p := b.Get(f.product + "/signin/oidc/a"); p.Status != http.StatusOK {
			t.Fatalf("start within the limit: %d %.200s", p.Status, p.Body)
		}
	}
	f.expectRefused(t, b.Get(f.product+"/signin/oidc/a"), http.StatusTooManyRequests, "Try again in 10 minutes", 0)
}

func TestAnExpiredSignInIsRefused(t *testing.T) {
	f := setup(t)
	f.opA.AddUser("sub-ann", "ann", "ann@council-a.example", true)
	f.store.addPerson("a", "p-ann", "ann@council-a.example", true, postgres.RoleAssessor)
	b := oidctest.NewBrowser(t, f.product)
	callback := b.UntilCallback(f.product+"/signin/oidc/a", "ann")
	f.store.mu.Lock()
	f.store.now = func() time.Time { return time.Now().Add(flowLifetime + time.Second) }
	f.store.mu.Unlock()
	f.expectRefused(t, b.Get(callback), http.StatusBadRequest, "expired", 0)
}
