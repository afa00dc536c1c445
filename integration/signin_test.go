package integration

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/email"
	"awardengine/services/signin"
	"awardengine/starter/api"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Sign-in (issue 11 §3) on the real stack: PostgreSQL, the local SendGrid endpoint (the
// emails are read from it), the API's routes. Each test runs its own API server over the
// shared stack so that it can shorten the rate-limit window.

var signinSeq atomic.Int64

// signinServer is an API server whose sign-in service sends through the local endpoint and
// whose links point at itself.
func signinServer(t *testing.T, cfg signin.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	cfg.PublicURL = srv.URL
	if cfg.IPLimit == 0 {
		cfg.IPLimit = 1000 // every test's requests come from 127.0.0.1
	}
	// The per-IP counters are shared by every server over the database: start afresh.
	if _, err := shared.DB.Pool().Exec(t.Context(), `DELETE FROM sign_in_rate_limits WHERE bucket LIKE 'ip:%'`); err != nil {
		t.Fatal(err)
	}
	if cfg.MinAnswer == 0 {
		cfg.MinAnswer = 150 * time.Millisecond
	}
	s := &api.Server{DB: shared.DB, Temporal: shared.Client, Objects: shared.Objects, Namespace: "awards",
		Settings: award.DefaultSettings(), Limits: award.DefaultUploadLimits(),
		SignIn:   signin.New(shared.DB, email.NewSender("SG.local-development-key", shared.MailURL), cfg),
		Sessions: signin.NewSessions(shared.DB, false)}
	srv.Config.Handler = s.Handler()
	return srv
}

// newPerson adds a person to northshire with a fresh address.
func newPerson(t *testing.T, roles ...string) postgres.Person {
	t.Helper()
	n := signinSeq.Add(1)
	p, err := shared.DB.UpsertPerson(t.Context(), postgres.Person{TenantID: "northshire", Name: fmt.Sprintf("Signin Person %d", n),
		Email: fmt.Sprintf("signin-%d-%d@northshire.example", time.Now().UnixNano(), n), Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) send(req *http.Request) response {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: raw, Header: resp.Header}
}

func (b *browser) get(path string) response {
	req, _ := http.NewRequest("GET", b.abs(path), nil)
	return b.send(req)
}

func (b *browser) postForm(path string, form url.Values, headers ...string) response {
	req, _ := http.NewRequest("POST", b.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.send(req)
}

func (b *browser) postJSON(path string, body any, headers ...string) response {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", b.abs(path), strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.send(req)
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.base + path
}

var linkPattern = regexp.MustCompile(`http://[^\s<>"]+/signin/continue\?token=[A-Za-z0-9_-]+`)

// linkIn waits for the n-th sign-in email to the address and returns its link.
func linkIn(t *testing.T, addr string, n int) string {
	t.Helper()
	var link string
	eventually(t, fmt.Sprintf("sign-in email %d to the person", n), func() bool {
		msgs := mailTo(shared, addr)
		if len(msgs) < n {
			return false
		}
		link = linkPattern.FindString(msgs[n-1].Text)
		return link != ""
	})
	return link
}

func tokenOf(t *testing.T, link string) string {
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// signInByLink asks for a link, follows it and presses Continue; it returns the browser with
// its session.
func signInByLink(t *testing.T, base string, p postgres.Person, nth int) *browser {
	t.Helper()
	b := newBrowser(t, base)
	if r := b.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": p.Email}); r.Status != 202 {
		t.Fatalf("asking for a link: %d %s", r.Status, r.Body)
	}
	link := linkIn(t, p.Email, nth)
	if r := b.get(link); r.Status != 200 {
		t.Fatalf("GET continue: %d %s", r.Status, r.Body)
	}
	r := b.postForm("/signin/continue", url.Values{"token": {tokenOf(t, link)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("POST continue: %d %s", r.Status, r.Body)
	}
	return b
}

func meOf(t *testing.T, r response) string {
	t.Helper()
	var me struct {
		ID     string `json:"id"`
		Active bool   `json:"active"`
	}
	r.json(t, &me)
	if me.ID != "" && !me.Active {
		t.Errorf("/v1/me of a signed-in person says active false: %s", r.Body)
	}
	return me.ID
}

func TestSignInByEmailedLink(t *testing.T) {
	srv := signinServer(t, signin.Config{})
	p := newPerson(t, postgres.RoleApplicant)
	b := newBrowser(t, srv.URL)

	start := time.Now()
	known := b.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": p.Email})
	knownTook := time.Since(start)
	if known.Status != 202 {
		t.Fatalf("asking for a link: %d %s", known.Status, known.Body)
	}
	link := linkIn(t, p.Email, 1)
	if !strings.HasPrefix(link, srv.URL+"/signin/continue?token=") {
		t.Fatalf("link %q does not point at the public URL", link)
	}
	token := tokenOf(t, link)

	// The token is stored only as its hash, and never in the outbox.
	var rows int
	var outbox string
	if err := shared.DB.Pool().QueryRow(t.Context(), `
		SELECT count(*), string_agg(row_to_json(o)::text, '') FROM email_outbox o
		WHERE recipient=$1 AND message_type='sign_in_link'`, p.ID).Scan(&rows, &outbox); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || strings.Contains(outbox, token) {
		t.Errorf("outbox: %d rows; holds the token: %v", rows, strings.Contains(outbox, token))
	}
	var clear int
	sum := sha256.Sum256([]byte(token))
	shared.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM sign_in_links WHERE token_hash=$1 AND person_id=$2 AND tenant_id='northshire'`, sum[:], p.ID).Scan(&clear)
	if clear != 1 {
		t.Errorf("no link row with the token's SHA-256 for the person")
	}

	// The page the link opens does not use the token: a mail scanner's GET leaves it working.
	for range 2 {
		r := b.get(link)
		if r.Status != 200 || !regexp.MustCompile(`<button type="submit"[^>]*>Continue</button>`).Match(r.Body) ||
			!strings.Contains(string(r.Body), `<html lang="en-GB"`) || !strings.Contains(string(r.Body), `name="token" value="`+token+`"`) {
			t.Fatalf("continue page: %d %s", r.Status, r.Body)
		}
		// Only the layout's scripts (GOV.UK Frontend's class switch and app.js): nothing presses
		// Continue for the person, so a scanner's visit cannot sign anyone in.
		if n := strings.Count(string(r.Body), "<script"); n != 2 || strings.Contains(string(r.Body), "submit()") {
			t.Errorf("the continue page has %d scripts", n)
		}
	}

	// Pressing Continue signs in: a session cookie (HttpOnly, SameSite=Lax), then /v1/me.
	r := b.postForm("/signin/continue", url.Values{"token": {token}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin/done" {
		t.Fatalf("POST continue: %d %s %v", r.Status, r.Body, r.Header)
	}
	cookie := r.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "award_session=") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie %q", cookie)
	}
	if id := meOf(t, b.get("/v1/me")); id != p.ID {
		t.Errorf("/v1/me with the session is %q, want %q", id, p.ID)
	}
	// Signed in, the browser goes on to the person's applications (or the page first asked for).
	if done := b.get("/signin/done"); done.Status != http.StatusSeeOther || done.Header.Get("Location") != "/applications" {
		t.Errorf("signed-in page: %d %v", done.Status, done.Header)
	}

	// The same link again: refused, clearly, on GET and on POST.
	other := newBrowser(t, srv.URL)
	if r := other.get(link); r.Status != http.StatusGone || !strings.Contains(string(r.Body), "already been used") {
		t.Errorf("used link, GET: %d %s", r.Status, r.Body)
	} else if !regexp.MustCompile(`<form method="get" action="/signin">\s*<button type="submit"`).Match(r.Body) {
		t.Errorf("used link: its button does not lead to the sign-in form: %s", r.Body)
	}
	// That button leads to the sign-in form, which asks for an address.
	if r := other.get("/signin"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `name="email"`) {
		t.Errorf("GET /signin: %d %s", r.Status, r.Body)
	}
	if r := other.postForm("/signin/continue", url.Values{"token": {token}}); r.Status != http.StatusGone ||
		!strings.Contains(string(r.Body), "already been used") || r.Header.Get("Set-Cookie") != "" {
		t.Errorf("used link, POST: %d %s", r.Status, r.Body)
	}
	if r := other.get("/v1/me"); r.Status != 401 {
		t.Errorf("no session: /v1/me %d", r.Status)
	}

	// An expired link: refused with its own message.
	b.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": p.Email})
	link2 := linkIn(t, p.Email, 2)
	if link2 == link {
		t.Fatal("a second request sent the same link")
	}
	sum2 := sha256.Sum256([]byte(tokenOf(t, link2)))
	if _, err := shared.DB.Pool().Exec(t.Context(), `UPDATE sign_in_links SET expires_at = now() - interval '1 second' WHERE token_hash=$1`, sum2[:]); err != nil {
		t.Fatal(err)
	}
	if r := other.get(link2); r.Status != http.StatusGone || !strings.Contains(string(r.Body), "has expired") {
		t.Errorf("expired link, GET: %d %s", r.Status, r.Body)
	}
	if r := other.postForm("/signin/continue", url.Values{"token": {tokenOf(t, link2)}}); r.Status != http.StatusGone || !strings.Contains(string(r.Body), "has expired") {
		t.Errorf("expired link, POST: %d %s", r.Status, r.Body)
	}
	if r := other.get("/signin/continue?token=not-a-token"); r.Status != 400 || !strings.Contains(string(r.Body), "not valid") {
		t.Errorf("made-up link: %d %s", r.Status, r.Body)
	}

	// An unknown address (and an unknown tenant) gets the identical answer, in no less time.
	for _, req := range []map[string]string{
		{"tenant": "northshire", "email": "nobody-" + p.ID + "@northshire.example"},
		{"tenant": "atlantis", "email": p.Email},
	} {
		start := time.Now()
		unknown := b.postJSON("/v1/signin", req)
		took := time.Since(start)
		if unknown.Status != known.Status || string(unknown.Body) != string(known.Body) {
			t.Errorf("%v: %d %s; known address: %d %s", req, unknown.Status, unknown.Body, known.Status, known.Body)
		}
		if took < 150*time.Millisecond || knownTook < 150*time.Millisecond {
			t.Errorf("answers not padded: %v (unknown) %v (known)", took, knownTook)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(mailTo(shared, "nobody-"+p.ID+"@northshire.example")); n != 0 {
		t.Errorf("%d emails to an unknown address", n)
	}
}

func TestSignInRateLimitHitAndLifted(t *testing.T) {
	srv := signinServer(t, signin.Config{AddressLimit: 2, IPLimit: 1000, RateWindow: 2 * time.Second})
	p := newPerson(t, postgres.RoleApplicant)
	b := newBrowser(t, srv.URL)
	ask := func() response {
		return b.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": p.Email})
	}
	for i := range 2 {
		if r := ask(); r.Status != 202 {
			t.Fatalf("request %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := ask()
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("third request: %d %s", r.Status, r.Body)
	}
	if r.Header.Get("Retry-After") == "" || !strings.Contains(r.problem(t)["detail"].(string), "try again in 1 minute") {
		t.Errorf("429 without a clear wait: %v %s", r.Header, r.Body)
	}
	// An unknown address is limited the same way.
	for range 2 {
		b.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": "nobody-rl-" + p.ID + "@northshire.example"})
	}
	if r := b.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": "nobody-rl-" + p.ID + "@northshire.example"}); r.Status != 429 {
		t.Errorf("unknown address not limited alike: %d", r.Status)
	}
	time.Sleep(2100 * time.Millisecond)
	if r := ask(); r.Status != 202 {
		t.Errorf("after the window: %d %s", r.Status, r.Body)
	}
	eventually(t, "three links", func() bool { return len(mailTo(shared, p.Email)) == 3 })

	// The per-IP limit counts every address from one client.
	srv2 := signinServer(t, signin.Config{AddressLimit: 100, IPLimit: 2, RateWindow: time.Hour})
	b2 := newBrowser(t, srv2.URL)
	var last response
	for i := range 40 {
		last = b2.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": fmt.Sprintf("ip-%d-%s@x.example", i, p.ID)})
		if last.Status == 429 {
			break
		}
	}
	if last.Status != 429 || !strings.Contains(last.problem(t)["detail"].(string), "minutes") {
		t.Errorf("per-IP limit: %d %s", last.Status, last.Body)
	}
	shared.DB.Pool().Exec(t.Context(), `DELETE FROM sign_in_rate_limits WHERE bucket LIKE 'ip:%'`)
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	srv := signinServer(t, signin.Config{})
	p := newPerson(t, postgres.RoleApplicant)
	b := newBrowser(t, srv.URL)
	body := map[string]string{"tenant": "northshire", "email": p.Email}
	if r := b.postJSON("/v1/signin", body, "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
		t.Errorf("cross-site (Sec-Fetch-Site): %d %s", r.Status, r.Body)
	}
	if r := b.postJSON("/v1/signin", body, "Origin", "https://evil.example"); r.Status != 403 {
		t.Errorf("foreign Origin: %d %s", r.Status, r.Body)
	}
	if r := b.postJSON("/v1/signin", body, "Sec-Fetch-Site", "same-origin"); r.Status != 202 {
		t.Errorf("same-origin: %d %s", r.Status, r.Body)
	}
	if r := b.postJSON("/v1/signin", body, "Origin", srv.URL); r.Status != 202 {
		t.Errorf("own Origin: %d %s", r.Status, r.Body)
	}
	// A signed-in browser cannot be made to act by another site.
	s := signInByLink(t, srv.URL, p, 3)
	if r := s.postJSON("/v1/me/tokens", map[string]any{"label": "x"}, "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
		t.Errorf("cross-site token creation: %d %s", r.Status, r.Body)
	}
	if r := s.postForm("/signout", nil, "Origin", "https://evil.example"); r.Status != 403 {
		t.Errorf("cross-site sign-out: %d", r.Status)
	}
	// Scripts with a bearer token send neither header and keep working.
	(&client{t: t, base: srv.URL, token: "demo-northshire-admin"}).must(201, "POST", "/v1/me/tokens", map[string]any{"label": "script", "expires_in_days": 1})
	if r := s.postJSON("/v1/me/tokens", map[string]any{"label": "same origin"}, "Sec-Fetch-Site", "same-origin"); r.Status != 201 {
		t.Errorf("same-origin token creation: %d %s", r.Status, r.Body)
	}
}

type newToken struct {
	Token     string    `json:"token"`
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	ExpiresAt time.Time `json:"expires_at"`
}

func TestAPITokensCreatedUsedRevokedExpired(t *testing.T) {
	srv := signinServer(t, signin.Config{})
	p := newPerson(t, postgres.RoleApplicant)
	s := signInByLink(t, srv.URL, p, 1)
	bearer := func(token string) *client { return &client{t: t, base: srv.URL, token: token} }

	var tok newToken
	r := s.postJSON("/v1/me/tokens", map[string]any{"label": "reports script", "expires_in_days": 30})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	r.json(t, &tok)
	if !strings.HasPrefix(tok.Token, "awt_") || tok.Label != "reports script" ||
		tok.ExpiresAt.Sub(time.Now()) < 29*24*time.Hour || tok.ExpiresAt.Sub(time.Now()) > 31*24*time.Hour {
		t.Errorf("token %+v", tok)
	}
	if id := meOf(t, bearer(tok.Token).must(200, "GET", "/v1/me", nil)); id != p.ID {
		t.Errorf("token is %s's", id)
	}
	var list struct {
		Tokens []struct {
			ID         string     `json:"id"`
			Label      string     `json:"label"`
			Token      string     `json:"token"`
			LastUsedAt *time.Time `json:"last_used_at"`
		} `json:"tokens"`
	}
	bearer(tok.Token).must(200, "GET", "/v1/me/tokens", nil).json(t, &list)
	if len(list.Tokens) != 1 || list.Tokens[0].ID != tok.ID || list.Tokens[0].LastUsedAt == nil || list.Tokens[0].Token != "" {
		t.Errorf("list %+v", list)
	}
	if r := s.postJSON("/v1/me/tokens", map[string]any{"label": ""}); r.Status != 422 || r.problem(t)["errors"] == nil {
		t.Errorf("no label: %d %s", r.Status, r.Body)
	}
	if r := s.postJSON("/v1/me/tokens", map[string]any{"label": "x", "expires_in_days": 4000}); r.Status != 422 {
		t.Errorf("too long: %d %s", r.Status, r.Body)
	}

	// Another person cannot revoke it; an admin of another tenant cannot either.
	bearerShared := func(token string) *client { return &client{t: t, base: srv.URL, token: token} }
	bearerShared("demo-northshire-applicant").must(404, "DELETE", "/v1/me/tokens/"+tok.ID, nil)
	bearerShared("demo-eastmere-admin").must(404, "DELETE", "/v1/admin/tokens/"+tok.ID, nil)
	bearerShared("demo-northshire-applicant").must(403, "DELETE", "/v1/admin/tokens/"+tok.ID, nil)
	bearerShared("demo-eastmere-admin").must(404, "GET", "/v1/admin/people/"+p.ID+"/tokens", nil)
	bearerShared("demo-northshire-admin").must(200, "GET", "/v1/admin/people/"+p.ID+"/tokens", nil)

	// Revoked: 401 at once.
	bearer(tok.Token).must(200, "DELETE", "/v1/me/tokens/"+tok.ID, nil)
	if r := bearer(tok.Token).do("GET", "/v1/me", nil); r.Status != 401 || !strings.HasSuffix(r.problem(t)["type"].(string), "/token-revoked") {
		t.Errorf("revoked token: %d %s", r.Status, r.Body)
	}

	// Admins revoke anyone's in their tenant.
	var tok2 newToken
	s.postJSON("/v1/me/tokens", map[string]any{"label": "second"}).json(t, &tok2)
	bearer(tok2.Token).must(200, "GET", "/v1/me", nil)
	bearerShared("demo-northshire-admin").must(200, "DELETE", "/v1/admin/tokens/"+tok2.ID, nil)
	bearer(tok2.Token).must(401, "GET", "/v1/me", nil)

	// Expired: 401 saying so.
	var tok3 newToken
	s.postJSON("/v1/me/tokens", map[string]any{"label": "third"}).json(t, &tok3)
	bearer(tok3.Token).must(200, "GET", "/v1/me", nil)
	if _, err := shared.DB.Pool().Exec(t.Context(), `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id=$1`, tok3.ID); err != nil {
		t.Fatal(err)
	}
	if r := bearer(tok3.Token).do("GET", "/v1/me", nil); r.Status != 401 || !strings.Contains(r.problem(t)["detail"].(string), "expired") {
		t.Errorf("expired token: %d %s", r.Status, r.Body)
	}

	// The demo tokens, stored before tokens expired, still work.
	bearerShared("demo-northshire-applicant").must(200, "GET", "/v1/me", nil)
}

func TestDeactivatedPersonIsRefusedAtOnce(t *testing.T) {
	srv := signinServer(t, signin.Config{})
	p := newPerson(t, postgres.RoleApplicant)
	s := signInByLink(t, srv.URL, p, 1)
	var tok newToken
	s.postJSON("/v1/me/tokens", map[string]any{"label": "script"}).json(t, &tok)
	bearer := &client{t: t, base: srv.URL, token: tok.Token}
	bearer.must(200, "GET", "/v1/me", nil)
	// A link sent before the deactivation.
	s.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": p.Email})
	pending := linkIn(t, p.Email, 2)

	if _, err := shared.DB.Pool().Exec(t.Context(), `UPDATE people SET active=false, access_version=access_version+1 WHERE id=$1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if r := s.get("/v1/me"); r.Status != 401 {
		t.Errorf("session of a deactivated person: %d %s", r.Status, r.Body)
	}
	if r := bearer.do("GET", "/v1/me", nil); r.Status != 401 {
		t.Errorf("token of a deactivated person: %d %s", r.Status, r.Body)
	}
	if r := newBrowser(t, srv.URL).postForm("/signin/continue", url.Values{"token": {tokenOf(t, pending)}}); r.Status != 403 || r.Header.Get("Set-Cookie") != "" {
		t.Errorf("link of a deactivated person: %d %s", r.Status, r.Body)
	}
	// Asking again: the usual answer, and no email.
	if r := s.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": p.Email}); r.Status != 202 {
		t.Errorf("asking while deactivated: %d", r.Status)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(mailTo(shared, p.Email)); n != 2 {
		t.Errorf("%d emails; a deactivated person was sent a link", n)
	}
}

func TestSessionsRenewedOnRoleChangeAndEndedEverywhere(t *testing.T) {
	srv := signinServer(t, signin.Config{})
	p := newPerson(t, postgres.RoleApplicant)
	one := signInByLink(t, srv.URL, p, 1)
	two := signInByLink(t, srv.URL, p, 2)
	one.get("/v1/me")
	before := one.hc.Jar.Cookies(mustURL(t, srv.URL))

	// A change of roles renews the session token; the session carries on.
	shared.DB.Pool().Exec(t.Context(), `UPDATE people SET access_version=access_version+1 WHERE id=$1`, p.ID)
	r := one.get("/v1/me")
	if r.Status != 200 || !strings.Contains(r.Header.Get("Set-Cookie"), "award_session=") {
		t.Errorf("after a role change: %d, Set-Cookie %q", r.Status, r.Header.Get("Set-Cookie"))
	}
	if after := one.hc.Jar.Cookies(mustURL(t, srv.URL)); len(before) == 1 && len(after) == 1 && before[0].Value == after[0].Value {
		t.Error("the session token was not renewed")
	}
	// The old session token no longer works.
	old := newBrowser(t, srv.URL)
	old.hc.Jar.SetCookies(mustURL(t, srv.URL), before)
	if r := old.get("/v1/me"); r.Status != 401 {
		t.Errorf("the session token from before the renewal: %d", r.Status)
	}

	// Sign out here: this session ends, the other goes on.
	if r := one.postForm("/signout", nil); r.Status != 200 {
		t.Fatalf("sign out: %d %s", r.Status, r.Body)
	}
	if r := one.get("/v1/me"); r.Status != 401 {
		t.Errorf("after sign-out: %d", r.Status)
	}
	if r := two.get("/v1/me"); r.Status != 200 {
		t.Fatalf("the other session: %d", r.Status)
	}

	// Sign out everywhere (from a third session) ends the other one too.
	three := signInByLink(t, srv.URL, p, 3)
	if r := three.postForm("/signout/everywhere", nil); r.Status != 200 {
		t.Fatalf("sign out everywhere: %d %s", r.Status, r.Body)
	}
	if r := two.get("/v1/me"); r.Status != 401 {
		t.Errorf("another session after sign-out everywhere: %d", r.Status)
	}
	if r := three.get("/v1/me"); r.Status != 401 {
		t.Errorf("this session after sign-out everywhere: %d", r.Status)
	}
	// Signing in again works.
	four := signInByLink(t, srv.URL, p, 4)
	four.get("/v1/me")
	if id := meOf(t, four.get("/v1/me")); id != p.ID {
		t.Errorf("signed in again as %q", id)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var codePattern = regexp.MustCompile(`<strong[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>`)

func TestCLILoginCodeExchange(t *testing.T) {
	srv := signinServer(t, signin.Config{})
	p := newPerson(t, postgres.RoleAssessor)
	b := newBrowser(t, srv.URL)
	nonce := strings.Repeat("n", 20) + fmt.Sprint(time.Now().UnixNano()) + "abcdefghijk"
	if r := b.postJSON("/v1/signin", map[string]string{"tenant": "northshire", "email": p.Email, "cli_nonce": nonce}); r.Status != 202 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	link := linkIn(t, p.Email, 1)
	if r := b.get(link); r.Status != 200 || !strings.Contains(string(r.Body), "starter login") {
		t.Fatalf("CLI continue page: %d %s", r.Status, r.Body)
	}
	r := b.postForm("/signin/continue", url.Values{"token": {tokenOf(t, link)}})
	m := codePattern.FindStringSubmatch(string(r.Body))
	if r.Status != 200 || m == nil || r.Header.Get("Set-Cookie") != "" {
		t.Fatalf("code page: %d %s (cookie %q)", r.Status, r.Body, r.Header.Get("Set-Cookie"))
	}
	code := m[1]
	// The code is useless without the nonce, and the wrong code is refused.
	if r := b.postJSON("/v1/signin/cli/exchange", map[string]string{"cli_nonce": nonce + "x", "code": code, "host": "laptop"}); r.Status != 400 {
		t.Errorf("code with another nonce: %d", r.Status)
	}
	if r := b.postJSON("/v1/signin/cli/exchange", map[string]string{"cli_nonce": nonce, "code": "AAAA-AAAA", "host": "laptop"}); r.Status != 400 {
		t.Errorf("wrong code: %d", r.Status)
	}
	var tok newToken
	r = b.postJSON("/v1/signin/cli/exchange", map[string]string{"cli_nonce": nonce, "code": strings.ToLower(code), "host": "laptop"})
	if r.Status != 201 {
		t.Fatalf("exchange: %d %s", r.Status, r.Body)
	}
	r.json(t, &tok)
	if tok.Label != "starter login on laptop" {
		t.Errorf("label %q", tok.Label)
	}
	c := &client{t: t, base: srv.URL, token: tok.Token}
	if id := meOf(t, c.must(200, "GET", "/v1/me", nil)); id != p.ID {
		t.Errorf("token of %s", id)
	}
	if r := b.postJSON("/v1/signin/cli/exchange", map[string]string{"cli_nonce": nonce, "code": code, "host": "laptop"}); r.Status != 400 {
		t.Errorf("code used twice: %d", r.Status)
	}
	// starter logout's revocation of the token it holds.
	c.must(204, "DELETE", "/v1/me/token", nil)
	c.must(401, "GET", "/v1/me", nil)
}

// The path on the shared stack, as `make run` serves it: an admin invites an assessor,
// who signs in by the emailed link (pointing at the stack's API) and is then deactivated by
// the admin's endpoint: session and token refused at once.
func TestInvitedPersonSignsInOnTheStack(t *testing.T) {
	admin := as(t, shared, "demo-northshire-admin")
	addr := fmt.Sprintf("invited-%d@northshire.example", time.Now().UnixNano())
	var invited structs.PersonView
	admin.must(201, "POST", "/v1/people", structs.InviteRequest{Name: "Ira Invited", Email: addr, Roles: []string{"assessor"}}).json(t, &invited)
	if invited.Invitation != "sent" {
		t.Fatalf("invitation %q (%s)", invited.Invitation, invited.InvitationProblem)
	}
	link := linkIn(t, addr, 1)
	if !strings.HasPrefix(link, shared.APIURL+"/signin/continue?token=") {
		t.Fatalf("link %q does not point at the stack's API", link)
	}
	b := newBrowser(t, shared.APIURL)
	if r := b.get(link); r.Status != 200 {
		t.Fatalf("continue page: %d %s", r.Status, r.Body)
	}
	if r := b.postForm("/signin/continue", url.Values{"token": {tokenOf(t, link)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("continue: %d %s", r.Status, r.Body)
	}
	if id := meOf(t, b.get("/v1/me")); id != invited.ID {
		t.Fatalf("/v1/me is %q, want %q", id, invited.ID)
	}
	var tok newToken
	b.postJSON("/v1/me/tokens", map[string]any{"label": "laptop"}).json(t, &tok)
	as(t, shared, tok.Token).must(200, "GET", "/v1/me", nil)

	admin.must(200, "POST", "/v1/people/"+invited.ID+"/deactivate", nil)
	if r := b.get("/v1/me"); r.Status != 401 {
		t.Errorf("session after deactivation: %d", r.Status)
	}
	if r := as(t, shared, tok.Token).do("GET", "/v1/me", nil); r.Status != 401 {
		t.Errorf("token after deactivation: %d", r.Status)
	}
}

// scriptedMailer answers each send with the next of its answers (then success).
type scriptedMailer struct {
	answers []error
	calls   atomic.Int32
	last    email.Message
}

func (m *scriptedMailer) Send(_ context.Context, msg email.Message) (string, error) {
	n := int(m.calls.Add(1))
	m.last = msg
	if n <= len(m.answers) && m.answers[n-1] != nil {
		return "", m.answers[n-1]
	}
	return fmt.Sprintf("msg-%d", n), nil
}

// The sign-in email's outbox path on the real database: one row per link, sent once; a send
// the provider certainly did not take is tried again; an unknown outcome is never resent; a
// permanent refusal flags the address.
func TestSignInEmailOutboxOnce(t *testing.T) {
	outbox := func(p postgres.Person) (rows int, status string) {
		shared.DB.Pool().QueryRow(t.Context(), `SELECT count(*), COALESCE(max(status),'') FROM email_outbox
			WHERE recipient=$1 AND message_type='sign_in_link'`, p.ID).Scan(&rows, &status)
		return
	}
	for _, c := range []struct {
		name       string
		answers    []error
		wantCalls  int32
		wantStatus string
		wantErr    bool
	}{
		{"accepted", nil, 1, "sent", false},
		{"429 then accepted", []error{&email.ProviderError{Status: 429, Retryable: true, RetryAfter: 200 * time.Millisecond}}, 2, "sent", false},
		{"no connection then accepted", []error{&email.ProviderError{NotSent: true, Retryable: true}}, 2, "sent", false},
		{"answer lost: never resent", []error{fmt.Errorf("connection reset after the request went out")}, 1, "sending", true},
		{"refused for good", []error{&email.ProviderError{Status: 400, Body: "invalid address"}}, 1, "failed", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newPerson(t, postgres.RoleApplicant)
			m := &scriptedMailer{answers: c.answers}
			svc := signin.New(shared.DB, m, signin.Config{PublicURL: "https://awards.example"})
			err := svc.SendLink(t.Context(), "northshire", p.ID, signin.PurposeInvite)
			if (err != nil) != c.wantErr {
				t.Fatalf("SendLink: %v", err)
			}
			if got := m.calls.Load(); got != c.wantCalls {
				t.Errorf("%d sends, want %d", got, c.wantCalls)
			}
			if rows, status := outbox(p); rows != 1 || status != c.wantStatus {
				t.Errorf("outbox: %d rows, status %q; want 1 %q", rows, status, c.wantStatus)
			}
			if !strings.Contains(m.last.Text, "https://awards.example/signin/continue?token=") ||
				m.last.CustomArgs["dedupe_key"] == "" || m.last.To.Email != p.Email {
				t.Errorf("message: %+v", m.last)
			}
			if c.wantStatus == "failed" {
				if problem, _ := shared.DB.EmailProblem(t.Context(), "northshire", p.ID); problem == "" {
					t.Error("the refused address is not flagged")
				}
			}
			// Another link is another email.
			if c.wantStatus == "sent" {
				if err := svc.SendLink(t.Context(), "northshire", p.ID, signin.PurposeSignIn); err != nil {
					t.Fatal(err)
				}
				if rows, _ := outbox(p); rows != 2 {
					t.Errorf("second link: %d outbox rows", rows)
				}
			}
		})
	}
	// Nobody outside the tenant, and nobody deactivated, is sent a link.
	p := newPerson(t, postgres.RoleApplicant)
	svc := signin.New(shared.DB, &scriptedMailer{}, signin.Config{})
	if err := svc.SendLink(t.Context(), "eastmere", p.ID, signin.PurposeInvite); err == nil {
		t.Error("a link for another tenant's person")
	}
	shared.DB.Pool().Exec(t.Context(), `UPDATE people SET active=false WHERE id=$1`, p.ID)
	if err := svc.SendLink(t.Context(), "northshire", p.ID, signin.PurposeInvite); err != signin.ErrDeactivated {
		t.Errorf("deactivated: %v", err)
	}
}

// The HTML sign-in form asks for a link as the JSON request does.
func TestSignInFormPage(t *testing.T) {
	srv := signinServer(t, signin.Config{})
	p := newPerson(t, postgres.RoleSupporter)
	b := newBrowser(t, srv.URL)
	r := b.get("/signin?tenant=northshire")
	if r.Status != 200 || !strings.Contains(string(r.Body), `<form method="post" action="/signin" novalidate>`) ||
		!strings.Contains(string(r.Body), `value="northshire"`) || !strings.Contains(string(r.Body), `<label class="govuk-label" for="email">`) {
		t.Fatalf("sign-in page: %d %s", r.Status, r.Body)
	}
	r = b.postForm("/signin", url.Values{"tenant": {"northshire"}, "email": {p.Email}}, "Origin", srv.URL)
	if r.Status != 202 || !strings.Contains(string(r.Body), "Check your email") {
		t.Fatalf("form: %d %s", r.Status, r.Body)
	}
	linkIn(t, p.Email, 1)
	if r := b.postForm("/signin", url.Values{"tenant": {"northshire"}, "email": {"not an address"}}); r.Status != 422 || !strings.Contains(string(r.Body), "not an email address") ||
		!strings.Contains(string(r.Body), `<a href="#email">`) || !strings.Contains(string(r.Body), "<title>Error: Sign in") {
		t.Errorf("bad address: %d %s", r.Status, r.Body)
	}
}
