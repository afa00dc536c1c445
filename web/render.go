package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"

	"awardengine/award"
	"awardengine/structs"
)

//go:embed templates
var templateFiles embed.FS

// supportedScript is the one inline script (GOV.UK Frontend's): it marks the body so the
// components' JavaScript styles apply only where that JavaScript runs. The
// Content-Security-Policy allows it by its hash and nothing else inline.
const supportedScript = `document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');`

var supportedScriptHash = func() string {
	sum := sha256.Sum256([]byte(supportedScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// pages are the parsed templates by name ("applicant/home"): each is the shared layout
// (templates/layout) cloned, with the page's own file parsed into the clone, so every page
// defines "title"-less "content" of its own without seeing the others'.
// They are parsed on first use (after every file's init has added its funcs) and a parse
// error panics then: TestEveryTemplateParses catches it before a deploy.
var pages = sync.OnceValue(parsePages)

func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout/*.gohtml"))
	out := map[string]*template.Template{}
	err := fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "templates/layout/") || path.Ext(p) != ".gohtml" {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".gohtml")
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, p))
		return nil
	})
	if err != nil {
		panic(err)
	}
	return out
}

// Page is what the layout shows around a page's content.
type Page struct {
	Title string // the <title> (before " – council") and, usually, the page's <h1>
	// Errors fill the error summary (and each field's own message: fieldError); the title
	// then starts "Error: ".
	Errors []structs.FieldError
	// Notice is a success notification banner's text.
	Notice string
	// Back is the href of a back link above the content.
	Back string
	// Data is the page's own content.
	Data any

	// Filled by render.
	TenantName   string
	Nav          []NavItem
	SignedIn     bool
	Me           award.Person
	AssetVersion string
	Script       template.JS
}

// NavItem is one link of the service navigation.
type NavItem struct {
	Href, Text string
	Current    bool
}

// render writes a page: the layout around the named template, with the security headers
// every page carries. It renders into a buffer first so a template error is a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	t, ok := pages()[name]
	if !ok {
		panic("web: no page template " + name)
	}
	p.AssetVersion = assetVersion
	p.Script = template.JS(supportedScript)
	if p.Me.ID != "" {
		p.SignedIn = true
		p.Nav = navFor(p.Me, r.URL.Path)
		if p.TenantName == "" {
			p.TenantName = s.tenantName(r, p.Me.TenantID)
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		slog.Error("rendering a page", "page", name, "error", err)
		http.Error(w, "Sorry, there is a problem with this page. Try again later.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages hold personal data: never cached, never framed.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", s.csp())
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// csp is the pages' Content-Security-Policy: everything from this origin, the one inline
// script by its hash, and object storage only for uploads (fetch/XHR and the no-JavaScript
// form's POST).
func (s *Server) csp() string {
	storage := ""
	if s.StorageOrigin != "" {
		storage = " " + s.StorageOrigin
	}
	return "default-src 'self'; script-src 'self' " + supportedScriptHash +
		"; style-src 'self'; img-src 'self' data:; connect-src 'self'" + storage +
		"; form-action 'self'" + storage +
		"; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
}

// navFor is the service navigation of a person: what their roles let them reach.
func navFor(me award.Person, current string) []NavItem {
	var nav []NavItem
	add := func(href, text string) { nav = append(nav, NavItem{Href: href, Text: text}) }
	staff := me.Has(award.RoleAssessor) || me.Has(award.RoleModerator) || me.Has(award.RoleAdmin)
	if me.Has(award.RoleApplicant) || (!me.Has(award.RoleSupporter) && !staff) {
		add("/applications", "Your applications")
	}
	if me.Has(award.RoleSupporter) {
		add("/supporting", "Settings you support")
	}
	if me.Has(award.RoleAssessor) {
		add("/assess", "Assessments")
	}
	if me.Has(award.RoleModerator) {
		add("/moderate", "Moderation")
	}
	if me.Has(award.RoleAdmin) {
		add("/admin", "Dashboard")
		add("/admin/stuck", "Stuck")
		add("/admin/search", "Search")
		add("/admin/reports", "Reports")
		add("/admin/people", "People")
		add("/admin/settings", "Settings")
	}
	// The current item is the one whose path is the longest prefix of this page's ("/admin"
	// is the dashboard only, not every admin page).
	best := -1
	for i, n := range nav {
		if (current == n.Href || strings.HasPrefix(current, n.Href+"/")) && (best < 0 || len(n.Href) > len(nav[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		nav[best].Current = true
	}
	return nav
}
