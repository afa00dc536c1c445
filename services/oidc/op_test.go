package oidc

// A real OpenID provider in the test process: zitadel's example OP (its login form, its
// in-memory storage, its signing keys) on httptest. Only _test files import zitadel.

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

const password = "verysecure-test-password"

// opUsers is the provider's user directory; tests change a user's email mid-test.
type opUsers struct {
	mu    sync.Mutex
	users map[string]*storage.User
}

func (u *opUsers) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.users[id]
}

func (u *opUsers) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, user := range u.users {
		if user.Username == name {
			return user
		}
	}
	return nil
}

func (u *opUsers) ExampleClientID() string { return storage.ServiceUserID }

func (u *opUsers) add(subject, username, email string, verified bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.users[subject] = &storage.User{ID: subject, Username: username, Password: password,
		FirstName: "Test", LastName: username, Email: email, EmailVerified: verified}
}

func (u *opUsers) setEmail(subject, email string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.users[subject].Email = email
}

// testOP is one running provider.
type testOP struct {
	*httptest.Server
	users *opUsers

	discoveries atomic.Int32 // discovery documents served
}

// startOP runs a provider whose clients are web clients (client secret by Basic auth, PKCE)
// redirecting to the given URIs: clientID → redirect URI.
func startOP(t *testing.T, clients map[string]string) *testOP {
	t.Helper()
	var handler http.Handler
	op := &testOP{users: &opUsers{users: map[string]*storage.User{}}}
	op.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			op.discoveries.Add(1)
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(op.Close)
	registered := map[string]*storage.Client{}
	for id, redirect := range clients {
		registered[id] = storage.WebClient(id, secretOf(id), redirect)
	}
	handler = exampleop.SetupServer(op.URL, storage.NewStorageWithClients(op.users, registered), nil, false)
	return op
}

func secretOf(clientID string) string { return "secret-of-" + clientID }

// browser is a browser-like client: a cookie jar, and redirects followed except to the
// product's callbacks, where it stops so tests can look at (or tamper with) what the provider
// sent back.
type browser struct {
	t      *testing.T
	client *http.Client
	// lastAuthState is the state of the last authorization request the product sent the
	// browser to a provider with.
	lastAuthState string
}

func newBrowser(t *testing.T, product string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	productURL, _ := url.Parse(product)
	b := &browser{t: t}
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

type page struct {
	status int
	url    *url.URL
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL, header: resp.Header, body: string(body)}
}

func (b *browser) get(u string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// callbackURL is where the provider sent the browser back to, after a stop at a callback.
func (p page) callbackURL(t *testing.T) string {
	t.Helper()
	if p.status != http.StatusFound && p.status != http.StatusSeeOther {
		t.Fatalf("expected a redirect to the callback, got %d at %s: %.300s", p.status, p.url, p.body)
	}
	loc, err := p.url.Parse(p.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.String()
}

var loginFormID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// logIn submits the provider's login form shown on p and returns where the provider sent the
// browser back to the product (not followed).
func (b *browser) logIn(p page, username string) string {
	b.t.Helper()
	m := loginFormID.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		b.t.Fatalf("expected the provider's login form, got %d at %s: %.300s", p.status, p.url, p.body)
	}
	form := url.Values{"id": {m[1]}, "username": {username}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, p.url.ResolveReference(&url.URL{Path: "/login/username"}).String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req).callbackURL(b.t)
}

// untilCallback starts a sign-in at the product for tenant, logs in at the provider and
// returns the callback URL the provider sent the browser to.
func (b *browser) untilCallback(product, tenant, username string) string {
	b.t.Helper()
	return b.logIn(b.get(product+"/signin/oidc/"+tenant), username)
}
