// Package oidctest is test support for OpenID Connect sign-in: a real OpenID provider in the
// test process (zitadel's example OP — its login form, its in-memory storage, its signing
// keys — on httptest) and a browser-like client that signs in at it.
//
// It is a normal package only so that the tests of services/oidc and of integration can share
// it; only tests import it. No binary may: it links zitadel, which no binary does
// (go list -deps ./cmd/worker ./cmd/starter | grep zitadel finds nothing).
package oidctest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// password is every user's password at the provider; Browser.LogIn uses it.
const password = "verysecure-test-password"

// SecretOf is the client secret of a client the provider registered.
func SecretOf(clientID string) string { return "secret-of-" + clientID }

// users is the provider's user directory; tests change a user's email mid-test.
type users struct {
	mu    sync.Mutex
	users map[string]*storage.User
}

func (u *users) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.users[id]
}

func (u *users) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, user := range u.users {
		if user.Username == name {
			return user
		}
	}
	return nil
}

func (u *users) ExampleClientID() string { return storage.ServiceUserID }

// Provider is one running provider.
type Provider struct {
	server      *httptest.Server
	users       *users
	discoveries atomic.Int32 // discovery documents served
}

// StartProvider runs a provider, closed when the test ends, whose clients are web clients
// (client secret SecretOf(clientID) by Basic auth, PKCE) redirecting to the given URIs:
// clientID → redirect URI.
func StartProvider(t *testing.T, clients map[string]string) *Provider {
	t.Helper()
	var handler http.Handler
	p := &Provider{users: &users{users: map[string]*storage.User{}}}
	p.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			p.discoveries.Add(1)
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(p.server.Close)
	registered := map[string]*storage.Client{}
	for id, redirect := range clients {
		registered[id] = storage.WebClient(id, SecretOf(id), redirect)
	}
	handler = exampleop.SetupServer(p.server.URL, storage.NewStorageWithClients(p.users, registered), nil, false)
	return p
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.server.URL }

// Discoveries is how many discovery documents the provider has served.
func (p *Provider) Discoveries() int { return int(p.discoveries.Load()) }

// AddUser adds (or replaces) a user at the provider, who logs in with username.
func (p *Provider) AddUser(subject, username, email string, verified bool) {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	p.users.users[subject] = &storage.User{ID: subject, Username: username, Password: password,
		FirstName: "Test", LastName: username, Email: email, EmailVerified: verified}
}

// SetEmail changes a user's email address at the provider.
func (p *Provider) SetEmail(subject, email string) {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	p.users.users[subject].Email = email
}

// Browser is a browser-like client: a cookie jar, and redirects followed except to the
// product's callbacks, where it stops so tests can look at (or tamper with) what the provider
// sent back.
type Browser struct {
	t      *testing.T
	client *http.Client
	// lastAuthState is the state of the last authorization request the product sent the
	// browser to a provider with.
	lastAuthState string
}

// NewBrowser is a browser that stops at the callbacks (paths ending /callback) of the
// product at the URL product.
func NewBrowser(t *testing.T, product string) *Browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	productURL, err := url.Parse(product)
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{t: t}
	b.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == productURL.Host && strings.HasSuffix(req.URL.Path, "/callback") {
			return http.ErrUseLastResponse
		}
		if state := req.URL.Query().Get("state"); state != "" && req.URL.Host != productURL.Host {
			b.lastAuthState = state
		}
		return nil
	}}
	return b
}

// LastAuthState is the state of the last authorization request the product sent the browser
// to a provider with.
func (b *Browser) LastAuthState() string { return b.lastAuthState }

// Jar is the browser's cookie jar.
func (b *Browser) Jar() http.CookieJar { return b.client.Jar }

// Page is where the browser ended up, and what it was answered there.
type Page struct {
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
}

// Do sends req, following redirects except to the product's callbacks.
func (b *Browser) Do(req *http.Request) Page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(body)}
}

// Get gets u, following redirects except to the product's callbacks.
func (b *Browser) Get(u string) Page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.Do(req)
}

// callbackURL is where the provider sent the browser back to, after a stop at a callback.
func (p Page) callbackURL(t *testing.T) string {
	t.Helper()
	if p.Status != http.StatusFound && p.Status != http.StatusSeeOther {
		t.Fatalf("expected a redirect to the callback, got %d at %s: %.300s", p.Status, p.URL, p.Body)
	}
	loc, err := p.URL.Parse(p.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.String()
}

var loginFormID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// LogIn submits the provider's login form shown on p as username and returns where the
// provider sent the browser back to the product (not followed).
func (b *Browser) LogIn(p Page, username string) string {
	b.t.Helper()
	m := loginFormID.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		b.t.Fatalf("expected the provider's login form, got %d at %s: %.300s", p.Status, p.URL, p.Body)
	}
	form := url.Values{"id": {m[1]}, "username": {username}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, p.URL.ResolveReference(&url.URL{Path: "/login/username"}).String(), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req).callbackURL(b.t)
}

// UntilCallback starts a sign-in at the product's sign-in URL start, logs in at the provider
// as username and returns the callback URL the provider sent the browser to (not followed).
func (b *Browser) UntilCallback(start, username string) string {
	b.t.Helper()
	return b.LogIn(b.Get(start), username)
}
