package integration

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	zstorage "github.com/zitadel/oidc/v3/example/server/storage"

	"awardengine/services/oidc"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Council staff sign in through the product's routes with a real OpenID provider running in
// the test process (zitadel's example OP on httptest), the session then answering /v1/me.
func TestOIDCSignInOfASeededStaffMember(t *testing.T) {
	op, set := eastmereOIDC(t)
	admin := as(t, shared, "demo-eastmere-admin")
	as(t, shared, "demo-northshire-admin").must(404, "GET", "/v1/admin/oidc", nil) // another tenant's is not theirs

	var assessor struct{ ID, Email string }
	as(t, shared, "demo-eastmere-assessor").must(200, "GET", "/v1/me", nil).json(t, &assessor)
	op.add("sub-priya", "priya", strings.ToUpper(assessor.Email), true)
	op.add("sub-priya-again", "priya-again", assessor.Email, true)
	op.add("sub-stranger", "stranger", "stranger@eastmere.example", true)

	// Signed in: the session answers /v1/me as the seeded assessor.
	b := newOIDCBrowser(t)
	if p := b.signIn(set.SignInURL, "priya"); p.status != 200 || p.url.Path != "/signin/done" {
		t.Fatalf("after signing in: %d at %s: %.300s", p.status, p.url, p.body)
	}
	if id := b.meID(); id != assessor.ID {
		t.Fatalf("/v1/me with the session is %q, want %q", id, assessor.ID)
	}

	// The provider's answer again: a sign-in is used once.
	if p := b.get(b.callback); p.status != 400 || !strings.Contains(p.body, "expired or was started in another browser") {
		t.Fatalf("replayed callback: %d %.300s", p.status, p.body)
	}
	// A second account at the provider with the same address, and nobody invited.
	if p := newOIDCBrowser(t).signIn(set.SignInURL, "priya-again"); p.status != 403 || !strings.Contains(p.body, "already linked to a different council account") {
		t.Fatalf("second account with the same email: %d %.300s", p.status, p.body)
	}
	if p := newOIDCBrowser(t).signIn(set.SignInURL, "stranger"); p.status != 403 || !strings.Contains(p.body, "Ask your award team to invite you") {
		t.Fatalf("nobody invited: %d %.300s", p.status, p.body)
	}

	// Both changes are in the audit trail.
	var audit struct {
		Entries []struct{ Action, Actor string } `json:"entries"`
	}
	admin.must(200, "GET", "/v1/admin/audit", nil).json(t, &audit)
	var linked, providerSet bool
	for _, l := range audit.Entries {
		linked = linked || (l.Action == "oidc_identity_linked" && l.Actor == assessor.ID)
		providerSet = providerSet || (l.Action == "oidc_provider_set" && l.Actor == "p_eastmere_admin")
	}
	if !linked || !providerSet {
		t.Fatalf("audit trail: linked %v, provider set %v", linked, providerSet)
	}
}

// A moderator an admin invites signs in with the council account; deactivated, their session
// is refused at once and the council account no longer signs them in; reactivated, it does.
func TestOIDCInvitedStaffMemberDeactivatedAndReactivated(t *testing.T) {
	op, set := eastmereOIDC(t)
	admin := as(t, shared, "demo-eastmere-admin")
	email := fmt.Sprintf("quinn.%d@eastmere.example", time.Now().UnixNano())
	var quinn struct{ ID string }
	admin.must(201, "POST", "/v1/people", structs.InviteRequest{Name: "Quinn Hale", Email: email,
		Roles: []string{"moderator"}}).json(t, &quinn)
	op.add("sub-quinn", "quinn", email, true)

	b := newOIDCBrowser(t)
	if p := b.signIn(set.SignInURL, "quinn"); p.status != 200 {
		t.Fatalf("invited moderator signing in: %d at %s: %.300s", p.status, p.url, p.body)
	}
	if id := b.meID(); id != quinn.ID {
		t.Fatalf("/v1/me is %q, want %q", id, quinn.ID)
	}

	admin.must(200, "POST", "/v1/people/"+quinn.ID+"/deactivate", nil)
	if p := b.get(shared.APIURL + "/v1/me"); p.status != 401 {
		t.Fatalf("a deactivated person's session: /v1/me %d", p.status)
	}
	if p := newOIDCBrowser(t).signIn(set.SignInURL, "quinn"); p.status != 403 || !strings.Contains(p.body, "not active") {
		t.Fatalf("a deactivated person signing in: %d %.300s", p.status, p.body)
	}

	admin.must(200, "POST", "/v1/people/"+quinn.ID+"/reactivate", nil)
	again := newOIDCBrowser(t)
	if p := again.signIn(set.SignInURL, "quinn"); p.status != 200 || again.meID() != quinn.ID {
		t.Fatalf("reactivated, signing in: %d %.300s", p.status, p.body)
	}
}

// eastmereOIDC runs a provider for tenant eastmere and has eastmere's admin set it through the
// API (after a refused attempt by an assessor and a refused Entra multi-tenant issuer); it is
// disabled again when the test ends.
func eastmereOIDC(t *testing.T) (*oidcProvider, structs.OIDCProvider) {
	t.Helper()
	const tenant, clientID, secret = "eastmere", "award-eastmere", "eastmere-client-secret"
	op := startOIDCProvider(t, clientID, secret, shared.APIURL+"/signin/oidc/"+tenant+"/callback")
	t.Setenv(oidc.SecretEnvName(tenant), secret) // the API runs in this process

	admin := as(t, shared, "demo-eastmere-admin")
	want := structs.OIDCProviderRequest{Issuer: op.URL, ClientID: clientID, DisplayName: "Sign in with Eastmere Council", Enabled: true}
	as(t, shared, "demo-eastmere-assessor").must(403, "PUT", "/v1/admin/oidc", want)
	if r := admin.do("PUT", "/v1/admin/oidc", structs.OIDCProviderRequest{
		Issuer: "https://login.microsoftonline.com/common/v2.0", ClientID: clientID, DisplayName: "x", Enabled: true}); r.Status != 422 {
		t.Fatalf("a multi-tenant Entra issuer: %d %s", r.Status, r.Body)
	}
	var set structs.OIDCProvider
	admin.must(200, "PUT", "/v1/admin/oidc", want).json(t, &set)
	t.Cleanup(func() {
		off := want
		off.Enabled = false
		admin.must(200, "PUT", "/v1/admin/oidc", off)
	})
	if set.RedirectURI != shared.APIURL+"/signin/oidc/eastmere/callback" || !set.SecretSet || set.SecretEnv != "OIDC_SECRET_EASTMERE" {
		t.Fatalf("provider as set: %+v", set)
	}
	return op, set
}

// oidcProvider is zitadel's example OP with one web client and its own users.
type oidcProvider struct {
	*httptest.Server
	mu    sync.Mutex
	users map[string]*zstorage.User
}

func startOIDCProvider(t *testing.T, clientID, secret, redirect string) *oidcProvider {
	var handler http.Handler
	p := &oidcProvider{users: map[string]*zstorage.User{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(p.Close)
	clients := map[string]*zstorage.Client{clientID: zstorage.WebClient(clientID, secret, redirect)}
	handler = exampleop.SetupServer(p.URL, zstorage.NewStorageWithClients(p, clients), nil, false)
	return p
}

func (p *oidcProvider) add(subject, username, email string, verified bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[subject] = &zstorage.User{ID: subject, Username: username, Password: "pw-" + username, Email: email, EmailVerified: verified}
}

func (p *oidcProvider) GetUserByID(id string) *zstorage.User {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.users[id]
}

func (p *oidcProvider) GetUserByUsername(name string) *zstorage.User {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.users {
		if u.Username == name {
			return u
		}
	}
	return nil
}

func (p *oidcProvider) ExampleClientID() string { return zstorage.ServiceUserID }

// oidcBrowser follows redirects with a cookie jar, remembering the last callback the
// provider sent it to.
type oidcBrowser struct {
	t        *testing.T
	hc       *http.Client
	callback string
}

type oidcPage struct {
	status int
	url    *url.URL
	body   string
}

func newOIDCBrowser(t *testing.T) *oidcBrowser {
	jar, _ := cookiejar.New(nil)
	b := &oidcBrowser{t: t}
	b.hc = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, "/callback") {
			b.callback = req.URL.String()
		}
		return nil
	}}
	return b
}

func (b *oidcBrowser) do(req *http.Request) oidcPage {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return oidcPage{status: resp.StatusCode, url: resp.Request.URL, body: string(body)}
}

func (b *oidcBrowser) get(u string) oidcPage {
	req, _ := http.NewRequest("GET", u, nil)
	return b.do(req)
}

var oidcLoginID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signIn starts at the product's sign-in URL, fills in the provider's login form, and
// returns the page the browser ends on.
func (b *oidcBrowser) signIn(start, username string) oidcPage {
	b.t.Helper()
	form := b.get(start)
	m := oidcLoginID.FindStringSubmatch(form.body)
	if form.status != 200 || m == nil {
		b.t.Fatalf("expected the provider's login form: %d at %s: %.300s", form.status, form.url, form.body)
	}
	values := url.Values{"id": {m[1]}, "username": {username}, "password": {"pw-" + username}}
	req, _ := http.NewRequest("POST", form.url.ResolveReference(&url.URL{Path: "/login/username"}).String(), strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// meID is the id /v1/me answers with this browser's session.
func (b *oidcBrowser) meID() string {
	b.t.Helper()
	p := b.get(shared.APIURL + "/v1/me")
	if p.status != 200 {
		b.t.Fatalf("/v1/me with the session: %d %s", p.status, p.body)
	}
	var me struct{ ID string }
	(response{Status: p.status, Body: []byte(p.body)}).json(b.t, &me)
	return me.ID
}

// The sign-ins under way on PostgreSQL: taken once, only by their browser, never once expired.
func TestOIDCFlowsAreTakenOnceByTheirBrowser(t *testing.T) {
	ctx := context.Background()
	h := func(s string) []byte { sum := sha256.Sum256([]byte(s)); return sum[:] }
	flow := postgres.OIDCFlow{StateHash: h(t.Name() + "state"), TenantID: "eastmere", BrowserHash: h("browser"),
		Nonce: "n", CodeVerifier: "v", ExpiresAt: time.Now().Add(time.Minute)}
	if err := shared.DB.SaveOIDCFlow(ctx, flow); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.DB.TakeOIDCFlow(ctx, flow.StateHash, h("another browser")); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("another browser took the flow: %v", err)
	}
	got, err := shared.DB.TakeOIDCFlow(ctx, flow.StateHash, flow.BrowserHash)
	if err != nil || got.Nonce != "n" || got.CodeVerifier != "v" || got.TenantID != "eastmere" {
		t.Fatalf("taking the flow: %+v %v", got, err)
	}
	if _, err := shared.DB.TakeOIDCFlow(ctx, flow.StateHash, flow.BrowserHash); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("the flow was taken twice: %v", err)
	}

	expired := flow
	expired.StateHash, expired.ExpiresAt = h(t.Name()+"expired"), time.Now().Add(-time.Second)
	if err := shared.DB.SaveOIDCFlow(ctx, expired); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.DB.TakeOIDCFlow(ctx, expired.StateHash, expired.BrowserHash); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("an expired flow was taken: %v", err)
	}
}
