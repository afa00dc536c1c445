package web

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"golang.org/x/net/html"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/services/signin"
)

// The handler tests run the pages over the real applications service with the fakes of
// services/applications/appstest: no database, Temporal, object storage or network. The
// signed-in person is named by Server.Who; sessions are scs's in-memory store, carried
// between requests by a cookie jar (a notice put before a redirect shows on the next page).

// People of the tests: two applicants and a supporter of the "north" council, and an
// applicant of the "east" council.
var (
	ann = award.Person{ID: "p-ann", TenantID: "north", Name: "Ann Applicant", Email: "ann@example.org",
		Roles: []string{award.RoleApplicant}, Active: true}
	bob = award.Person{ID: "p-bob", TenantID: "north", Name: "Bob Applicant", Email: "bob@example.org",
		Roles: []string{award.RoleApplicant}, Active: true}
	sue = award.Person{ID: "p-sue", TenantID: "north", Name: "Sue Supporter", Email: "sue@example.org",
		Roles: []string{award.RoleSupporter}, Active: true}
	eve = award.Person{ID: "p-eve", TenantID: "east", Name: "Eve Elsewhere", Email: "eve@example.org",
		Roles: []string{award.RoleApplicant}, Active: true}
)

type htmlNode = html.Node

// testEnv is a web server over fakes, and the browser that talks to it.
type testEnv struct {
	t     *testing.T
	fakes *appstest.Fakes
	srv   *Server
	h     http.Handler
	jar   http.CookieJar
	// me is the signed-in person; the zero Person is nobody (Who says signin.ErrNotSignedIn).
	me award.Person
}

// newTestServer is the pages mounted on their own mux (the API's protect/crossOrigin
// middleware is starter/api's, not tested here) for me over f (nil: empty fakes).
func newTestServer(t *testing.T, me award.Person, f *appstest.Fakes) *testEnv {
	t.Helper()
	if f == nil {
		f = appstest.New()
	}
	for _, p := range []award.Person{ann, bob, sue, eve} {
		f.Store.AddPerson(p)
	}
	svc := f.Service()
	e := &testEnv{t: t, fakes: f, me: me}
	e.srv = &Server{
		Apps:          func() *applications.Service { return svc },
		SignIn:        signin.New(nil, nil, signin.Config{MinAnswer: time.Nanosecond}),
		Sessions:      scs.New(),
		StorageOrigin: appstest.URL,
		Who: func(*http.Request) (award.Person, error) {
			if e.me.ID == "" {
				return award.Person{}, signin.ErrNotSignedIn
			}
			return e.me, nil
		},
	}
	mux := http.NewServeMux()
	e.srv.Register(mux)
	e.h = mux
	e.jar, _ = cookiejar.New(nil)
	return e
}

// response is a page as the browser got it.
type response struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

var base, _ = url.Parse("http://awards.test")

func (e *testEnv) do(req *http.Request) response {
	e.t.Helper()
	for _, c := range e.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := rec.Result()
	e.jar.SetCookies(req.URL, res.Cookies())
	b, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		doc, err := html.Parse(strings.NewReader(r.body))
		if err != nil {
			e.t.Fatalf("%s %s: the page is not HTML: %v", req.Method, req.URL, err)
		}
		r.doc = doc
	}
	return r
}

func (e *testEnv) get(path string) response {
	e.t.Helper()
	return e.do(httptest.NewRequest(http.MethodGet, base.ResolveReference(mustURL(e.t, path)).String(), nil))
}

func (e *testEnv) postForm(path string, form url.Values) response {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, base.ResolveReference(mustURL(e.t, path)).String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// follow GETs a redirect's Location (one step).
func (e *testEnv) follow(r response) response {
	e.t.Helper()
	loc := r.header.Get("Location")
	if r.status < 300 || r.status > 399 || loc == "" {
		e.t.Fatalf("want a redirect, got %d", r.status)
	}
	return e.get(loc)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// --- what every page must be ---

var scriptHash = regexp.MustCompile(`'sha256-[A-Za-z0-9+/=]+'`)

// checkPage checks a page's status and what every page carries: HTML, never cached, the
// Content-Security-Policy (default-src 'self', and exactly one script hash: the one inline
// script's, which is the only inline script on the page).
func checkPage(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("want status %d, got %d: %s", status, r.status, firstLines(text(r.doc), 30))
	}
	if r.doc == nil {
		t.Fatalf("not an HTML page: %q", r.header.Get("Content-Type"))
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	hashes := scriptHash.FindAllString(csp, -1)
	if len(hashes) != 1 {
		t.Fatalf("want one script hash in the CSP, got %v", hashes)
	}
	inline := 0
	for _, s := range findAll(r.doc, func(n *html.Node) bool { return n.Data == "script" && attr(n, "src") == "" }) {
		inline++
		sum := sha256.Sum256([]byte(rawText(s)))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; h != hashes[0] {
			t.Errorf("an inline script the CSP does not allow: %q", rawText(s))
		}
	}
	if inline != 1 {
		t.Errorf("want the one inline script, found %d", inline)
	}
	if len(findAll(r.doc, func(n *html.Node) bool { return n.Data == "h1" })) != 1 {
		t.Errorf("want one h1, got %d", len(findAll(r.doc, func(n *html.Node) bool { return n.Data == "h1" })))
	}
}

// checkNotFound checks the one "Page not found" page: 404, and nothing of the application.
func checkNotFound(t *testing.T, r response, mustNotSay ...string) {
	t.Helper()
	checkPage(t, r, http.StatusNotFound)
	if h := heading(r); h != "Page not found" {
		t.Fatalf("want Page not found, got %q", h)
	}
	for _, s := range mustNotSay {
		if strings.Contains(r.body, s) {
			t.Errorf("the not-found page says %q", s)
		}
	}
}

// checkSignInFirst checks a signed-out request: sent to /signin, remembering the page asked for
// (GET) in the award_next cookie.
func checkSignInFirst(t *testing.T, r response, asked string) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin" {
		t.Fatalf("want 303 to /signin, got %d %q", r.status, r.header.Get("Location"))
	}
	if asked == "" {
		return
	}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == nextCookie {
			if c.Value != asked || !c.HttpOnly || c.Path != "/" {
				t.Fatalf("award_next %+v, want %q, HttpOnly, Path /", c, asked)
			}
			return
		}
	}
	t.Fatalf("no award_next cookie: %v", r.header.Values("Set-Cookie"))
}

// errorSummary is the error summary's entries: each link's href (or "") and text.
type summaryEntry struct{ Href, Text string }

func errorSummary(r response) []summaryEntry {
	var out []summaryEntry
	for _, list := range findAll(r.doc, hasClass("govuk-error-summary__list")) {
		for _, li := range findAll(list, func(n *html.Node) bool { return n.Data == "li" }) {
			e := summaryEntry{Text: text(li)}
			if a := findAll(li, func(n *html.Node) bool { return n.Data == "a" }); len(a) > 0 {
				e.Href = attr(a[0], "href")
			}
			out = append(out, e)
		}
	}
	return out
}

// checkErrorSummary checks the GOV.UK error pattern: a summary with an entry linking #field
// whose text contains says, the field's own message, and a title starting "Error: ".
func checkErrorSummary(t *testing.T, r response, field, says string) {
	t.Helper()
	entries := errorSummary(r)
	if len(entries) == 0 {
		t.Fatalf("no error summary: %s", firstLines(text(r.doc), 40))
	}
	if title := text(first(r.doc, func(n *html.Node) bool { return n.Data == "title" })); !strings.HasPrefix(title, "Error: ") {
		t.Errorf("title %q does not start with Error:", title)
	}
	for _, e := range entries {
		if (field == "" || e.Href == "#"+fieldID(field)) && strings.Contains(e.Text, says) {
			if field != "" {
				if first(r.doc, func(n *html.Node) bool { return attr(n, "id") == fieldID(field) }) == nil {
					t.Errorf("the summary links #%s, which is not on the page", fieldID(field))
				}
			}
			return
		}
	}
	t.Fatalf("no error summary entry for %q saying %q: %+v", field, says, entries)
}

// --- reading pages ---

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	if n == nil {
		return nil
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func first(n *html.Node, match func(*html.Node) bool) *html.Node {
	if all := findAll(n, match); len(all) > 0 {
		return all[0]
	}
	return nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, c := range strings.Fields(attr(n, "class")) {
			if c == class {
				return true
			}
		}
		return false
	}
}

// byText matches elements of tag whose text contains s.
func byText(tag, s string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag && strings.Contains(text(n), s) }
}

var spaces = regexp.MustCompile(`\s+`)

// text is a node's text as read, whitespace collapsed (scripts left out).
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style"):
			return
		case n.Type == html.ElementNode && (n.Data == "br" || n.Data == "p" || n.Data == "li" || n.Data == "td" || n.Data == "th"):
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode {
			b.WriteString(" ")
		}
	}
	walk(n)
	return strings.TrimSpace(spaces.ReplaceAllString(b.String(), " "))
}

// rawText is an element's text exactly (a script's source).
func rawText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// heading is the page's h1.
func heading(r response) string {
	return text(first(r.doc, func(n *html.Node) bool { return n.Data == "h1" }))
}

// pageTitle is the page's <title>.
func pageTitle(r response) string {
	return text(first(r.doc, func(n *html.Node) bool { return n.Data == "title" }))
}

// mainText is the text of <main>: the page without the header and footer.
func mainText(r response) string {
	return text(first(r.doc, func(n *html.Node) bool { return n.Data == "main" }))
}

// links are the hrefs of the page's <a> elements.
func links(r response) []string {
	var out []string
	for _, a := range findAll(r.doc, func(n *html.Node) bool { return n.Data == "a" }) {
		out = append(out, attr(a, "href"))
	}
	return out
}

func hasLink(r response, href string) bool {
	for _, l := range links(r) {
		if l == href {
			return true
		}
	}
	return false
}

// mustSay fails unless the page's main content contains every s.
func mustSay(t *testing.T, r response, ss ...string) {
	t.Helper()
	m := mainText(r)
	for _, s := range ss {
		if !strings.Contains(m, s) {
			t.Errorf("the page does not say %q:\n%s", s, firstLines(m, 60))
		}
	}
}

// mustNotSay fails if the page's main content contains any s.
func mustNotSay(t *testing.T, r response, ss ...string) {
	t.Helper()
	m := mainText(r)
	for _, s := range ss {
		if strings.Contains(m, s) {
			t.Errorf("the page says %q", s)
		}
	}
}

func firstLines(s string, words int) string {
	f := strings.Fields(s)
	if len(f) > words*4 {
		f = f[:words*4]
	}
	return strings.Join(f, " ")
}
