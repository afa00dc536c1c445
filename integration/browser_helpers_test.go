package integration

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"awardengine/storage/postgres"
)

// The browser harness: headless Chromium (Debian's chromium package; `make test` installs
// it) driven with chromedp against the shared stack. A tab signs in by the emailed link,
// follows the pages as a person would, and on every page it lands on runs axe-core (the
// fixture in testdata/axe) and keeps a screenshot under testdata/artifacts/ (gitignored;
// AWARD_TEST_ARTIFACTS moves it), whose path the test log prints.

// stepTimeout bounds every single browser step (a navigation, a click, an axe run).
const stepTimeout = 20 * time.Second

// chromiumPath finds the browser; the Makefile's chromium target installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: run `make test` (it installs Debian's chromium package) or `apt-get install -y chromium`")
	return ""
}

// artifactsDir is where a test's screenshots go: testdata/artifacts/<test>/ (or
// $AWARD_TEST_ARTIFACTS/<test>/), emptied first.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("AWARD_TEST_ARTIFACTS")
	if root == "" {
		root = filepath.Join("testdata", "artifacts")
	}
	dir, err := filepath.Abs(filepath.Join(root, strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())))
	if err != nil {
		t.Fatal(err)
	}
	if _, seen := artifactDirs.LoadOrStore(dir, true); !seen {
		_ = os.RemoveAll(dir)
		t.Logf("screenshots of %s: %s", t.Name(), dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// artifactDirs are the directories emptied so far (once per test run, however many tabs).
var artifactDirs sync.Map

// viewport is a window size: phone is an iPhone SE's 375×667 CSS pixels at 2× with touch.
type viewport struct {
	Width, Height int64
	Mobile        bool
}

var (
	phone   = viewport{375, 667, true}
	desktop = viewport{1280, 900, false}
)

// tab is one browser tab of its own browser (its own cookies) on the stack.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	js   bool
	art  string
	shot int
	// audited counts the pages axe has checked; consoleErrs collects what the browser
	// reported (CSP violations, failed loads, script errors) for assertNoConsoleErrors.
	audited     []string
	mu          sync.Mutex
	consoleErrs []string
	// errorPages are the documents the tab was answered with 4xx or 5xx (a page with an
	// error summary is 422): the browser logs each, which is no error of the page.
	errorPages map[string]bool
	// label prefixes the screenshots of a tab when a test has several.
	label string
	// mobile: the tab is a phone (its pages must fit its width).
	mobile bool
}

// newTab starts Chromium with JavaScript on or off and the given window. The whole browser
// lives at most limit; each step has its own stepTimeout.
func newTab(t *testing.T, js bool, vp viewport, limit time.Duration) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.WindowSize(int(vp.Width), int(vp.Height)),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), limit)
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelRoot() })
	tb := &tab{t: t, ctx: ctx, base: shared.APIURL, js: js, art: artifactsDir(t), errorPages: map[string]bool{}, mobile: vp.Mobile}
	// Start the browser on the long-lived context (a step's timeout must not stop it).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	go tb.collectConsole()
	tb.run("set up the window", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: vp.Width, Height: vp.Height, DeviceScaleFactor: map[bool]float64{true: 2, false: 1}[vp.Mobile], Mobile: vp.Mobile,
		}); err != nil {
			return err
		}
		if vp.Mobile {
			if _, err := cdp.Call(ctx, tg, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true}); err != nil {
				return err
			}
		}
		return nil
	}))
	if !js {
		tb.scripts(false)
	}
	return tb
}

// scripts turns the page's JavaScript on or off.
func (b *tab) scripts(on bool) {
	b.t.Helper()
	b.run("turning scripts on or off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

// collectConsole keeps the browser's errors and warnings: a CSP violation, a resource that
// failed to load, an uncaught exception.
func (b *tab) collectConsole() {
	for m, err := range chromedp.Console(b.ctx) {
		if err != nil {
			return
		}
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
			b.mu.Lock()
			b.consoleErrs = append(b.consoleErrs, fmt.Sprintf("%s: %s (%s)", m.Type, m.Text, m.URL))
			b.mu.Unlock()
		}
	}
}

// assertNoConsoleErrors fails the test for any error the browser reported so far.
func (b *tab) assertNoConsoleErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.consoleErrs {
		if url, ok := strings.CutPrefix(e, "error: Failed to load resource: the server responded with a status of "); ok &&
			b.errorPages[strings.TrimSuffix(url[strings.LastIndex(url, "(")+1:], ")")] {
			continue
		}
		b.t.Errorf("browser console: %s", e)
	}
	b.consoleErrs = nil
}

// run runs one bounded step and fails the test if it fails.
func (b *tab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (page %s)", what, err, b.location())
	}
}

// get runs one bounded action that returns a value.
func get[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v (page %s)", what, err, b.location())
	}
	return v
}

// location is the tab's current URL ("" if it cannot be read).
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// path is the current URL's path and query.
func (b *tab) path() string {
	u, err := url.Parse(b.location())
	if err != nil {
		return ""
	}
	return u.RequestURI()
}

// navigate runs the steps (a Navigate, a Click on a link or a button) and waits for the
// page they lead to; it returns the final document's HTTP status.
func (b *tab) navigate(what string, steps ...chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.t.Fatalf("%s: %v (page %s)", what, err, b.location())
	}
	if resp == nil {
		return 0
	}
	if resp.Status >= 400 {
		b.mu.Lock()
		b.errorPages[resp.URL] = true
		b.mu.Unlock()
	}
	return int(resp.Status)
}

// open goes to a path (or a full URL) of the site.
func (b *tab) open(path string) int {
	b.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = b.base + path
	}
	return b.navigate("opening "+path, chromedp.Navigate(u))
}

// click presses a button or follows a link (a CSS selector, or an XPath starting with /)
// and waits for the next page.
func (b *tab) click(sel string) int {
	b.t.Helper()
	if strings.HasPrefix(sel, "/") {
		return b.navigate("clicking "+sel, chromedp.Click(chromedp.Search(sel), chromedp.NodeVisible))
	}
	return b.navigate("clicking "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// press clicks something that does not leave the page (a radio, a checkbox, a script's
// button).
func (b *tab) press(sel string) {
	b.t.Helper()
	b.run("pressing "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// type_ types into an empty field.
func (b *tab) type_(sel, text string) {
	b.t.Helper()
	b.run("typing into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

// setCheckboxes ticks the j-th of the checkboxes matching sel where want(j), and unticks
// the others, by clicking them as a person would; it returns how many there are.
func (b *tab) setCheckboxes(sel string, want func(j int) bool) int {
	b.t.Helper()
	type box struct {
		ID      string `json:"id"`
		Checked bool   `json:"checked"`
	}
	boxes := get(b, "reading "+sel, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll(`+jsString(sel)+`), c => ({id: c.id, checked: c.checked}))`))
	for j, c := range boxes {
		if c.Checked != want(j) {
			b.run("clicking the checkbox "+c.ID, chromedp.Click(chromedp.ID(c.ID), chromedp.NodeVisible))
		}
	}
	return len(boxes)
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// text is the visible text of the first element matching sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return strings.Join(strings.Fields(get(b, "reading "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))), " ")
}

// textOf reads the text of the element with this id in one step in the page, so an element
// that a script replaces (upload.js swaps #evidence-list for a fresh copy) cannot vanish between
// finding the node and reading it, as it can with chromedp.Text. A missing element reads "".
func (b *tab) textOf(id string) string {
	b.t.Helper()
	js := fmt.Sprintf(`(document.getElementById(%q) || {}).innerText || ''`, id)
	return strings.Join(strings.Fields(get(b, "reading #"+id, chromedp.Evaluate[string](js))), " ")
}

// html is the page's whole markup.
func (b *tab) html() string {
	b.t.Helper()
	return get(b, "reading the page", chromedp.OuterHTML(chromedp.CSS("html")))
}

// has says whether an element matching sel is on the page now (no waiting).
func (b *tab) has(sel string) bool {
	b.t.Helper()
	return len(get(b, "looking for "+sel, chromedp.QueryNodeIDs(chromedp.CSSAll(sel), chromedp.AtLeast(0)))) > 0
}

// landed checks the page the tab is on: its path matches wantPath (a regexp), its <h1>
// contains wantH1; then axe audits it and a screenshot is kept. name labels both.
func (b *tab) landed(name, wantPath, wantH1 string) {
	b.t.Helper()
	if p := b.path(); !regexp.MustCompile(`^` + wantPath + `$`).MatchString(p) {
		b.t.Fatalf("%s: on %s, want a page at %s; the page says: %s", name, p, wantPath, b.text("main"))
	}
	if h1 := b.text("h1"); !strings.Contains(h1, wantH1) {
		b.t.Fatalf("%s: heading %q, want %q; the page says: %s", name, h1, wantH1, b.text("main"))
	}
	b.audit(name)
	b.checkReflow(name)
	b.screenshot(name)
}

// checkReflow fails a page that is wider than a phone's screen (WCAG 1.4.10 Reflow: no
// scrolling in two directions at 320 CSS pixels; axe does not check it). Only for a tab with
// a mobile viewport.
func (b *tab) checkReflow(name string) {
	b.t.Helper()
	if !b.mobile {
		return
	}
	type widths struct {
		Page   int      `json:"page"`
		Window int      `json:"window"`
		Wide   []string `json:"wide"`
	}
	w := get(b, "measuring "+name, chromedp.Evaluate[widths](`(() => {
		const win = document.documentElement.clientWidth;
		const wide = Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > win + 1)
			.filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= win + 1)
			.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).trim().split(/\s+/).join('.') : ''));
		return {page: document.documentElement.scrollWidth, window: win, wide};
	})()`))
	if w.Page > w.Window {
		b.t.Errorf("%s is %d CSS pixels wide on a %d pixel screen: it scrolls sideways on a phone (widest: %s)", name, w.Page, w.Window, strings.Join(w.Wide, ", "))
	}
}

// uploadWithProgress uploads the files (testdata/browser) with the enhanced form: all at
// once, for the form's first standard; each file's progress bar must reach 100% and its row
// say it is uploaded, and the list of files then shows them. The page is kept at that point.
func (b *tab) uploadWithProgress(files []string) {
	b.t.Helper()
	b.run("waiting for upload.js", chromedp.WaitReady(chromedp.CSS("#upload-form[data-enhanced=true]")))
	b.press("#upload-standards input[name=standards]")
	b.run("choosing the files", chromedp.SetUploadFiles(chromedp.CSS("#file"), testFiles(b.t, files)))
	// Record every value each bar shows.
	b.run("watching the progress bars", chromedp.Evaluate[chromedp.Void](`window.__progress = [];
		new MutationObserver(ms => { for (const m of ms) if (m.target.tagName === 'PROGRESS')
			window.__progress.push(m.target.closest('.app-progress').dataset.filename + ' ' + m.target.value) })
		.observe(document.getElementById('upload-progress-list'), {subtree: true, childList: true, attributes: true, attributeFilter: ['value']})`))
	b.press("#upload-button")
	b.run("waiting for the uploads to finish", chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(
		"#upload-progress-list .app-progress[data-state]:nth-child(%d)", len(files)))))
	type row struct {
		Name   string  `json:"name"`
		State  string  `json:"state"`
		Value  float64 `json:"value"`
		Status string  `json:"status"`
	}
	rows := get(b, "reading the progress bars", chromedp.Evaluate[[]row](`Array.from(document.querySelectorAll('#upload-progress-list .app-progress'), r => ({
		name: r.dataset.filename, state: r.dataset.state || '', value: r.querySelector('progress').value, status: r.querySelector('.app-progress__status').textContent}))`))
	if len(rows) != len(files) {
		b.t.Fatalf("%d progress bars for %d files: %+v", len(rows), len(files), rows)
	}
	for i, r := range rows {
		if r.Name != files[i] || r.State != "done" || r.Value != 100 || r.Status != "Uploaded" {
			b.t.Errorf("progress of %s: %+v, want done at 100%% and Uploaded", files[i], r)
		}
	}
	seen := get(b, "reading what the bars showed", chromedp.Evaluate[[]string](`window.__progress`))
	b.t.Logf("progress bars showed: %s", strings.Join(seen, ", "))
	if summary := b.text("#upload-summary"); summary != fmt.Sprintf("Your %d files have been uploaded.", len(files)) {
		b.t.Errorf("upload summary %q", summary)
	}
	// The list of files is fetched again in place.
	deadline := time.Now().Add(stepTimeout)
	for {
		list := b.textOf("evidence-list")
		if strings.Contains(list, files[0]) && strings.Contains(list, files[len(files)-1]) {
			break
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the list of files does not show the uploads: %s", list)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.audit("evidence uploaded")
	b.screenshot("evidence uploaded")
	b.viewportShot("upload progress", "#upload-progress")
}

// uploadWithoutJavaScript uploads one file with the plain form: it posts the file straight to
// object storage, which sends the browser back to choose the file's standards (the first).
func (b *tab) uploadWithoutJavaScript(appPath, file string) {
	b.t.Helper()
	if b.has("#upload-form[data-enhanced]") || !b.has("#standards-group[hidden]") {
		b.t.Error("the upload form was enhanced in a browser without JavaScript")
	}
	action := get(b, "reading the form's action", chromedp.AttributeValue(chromedp.CSS("#upload-form"), "action")).Value
	if strings.HasPrefix(action, b.base) || !strings.HasPrefix(action, "http") {
		b.t.Errorf("the upload form posts to %q, not straight to storage", action)
	}
	b.run("choosing "+file, chromedp.SetUploadFiles(chromedp.CSS("#file"), testFiles(b.t, []string{file})))
	b.click("#upload-button")
	b.landed("uploaded "+file, appPath+`/evidence/uploaded\?.*`, "Which standards is "+file+" evidence for?")
	b.setCheckboxes("input[name=standards]", func(j int) bool { return j == 0 })
	b.click("main form button[type=submit]")
	b.landed("evidence with "+file, appPath+`/evidence(\?.*)?`, "Evidence")
}

// testFiles are the absolute paths of files in testdata/browser.
func testFiles(t *testing.T, names []string) []string {
	var out []string
	for _, n := range names {
		p, err := filepath.Abs(filepath.Join("testdata", "browser", n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// screenshot keeps a full-page PNG of the current page as NN-name.png.
func (b *tab) screenshot(name string) string {
	b.t.Helper()
	b.shot++
	png := get(b, "screenshot of "+name, chromedp.FullScreenshot(100))
	slug := strings.Trim(nonWord.ReplaceAllString(strings.ToLower(name), "-"), "-")
	file := filepath.Join(b.art, fmt.Sprintf("%s%02d-%s.png", b.prefix(), b.shot, slug))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return file
}

// viewportShot keeps what the window shows (375×667 on a phone) with sel scrolled into
// view, as NN-name-screen.png.
func (b *tab) viewportShot(name, sel string) string {
	b.t.Helper()
	b.run("scrolling to "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel), chromedp.NodeVisible))
	b.shot++
	png := get(b, "screenshot of "+name, chromedp.CaptureScreenshot())
	slug := strings.Trim(nonWord.ReplaceAllString(strings.ToLower(name), "-"), "-")
	file := filepath.Join(b.art, fmt.Sprintf("%s%02d-%s-screen.png", b.prefix(), b.shot, slug))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot of the window: %s", file)
	return file
}

func (b *tab) prefix() string {
	if b.label == "" {
		return ""
	}
	return b.label + "-"
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

var axeSource = sync.OnceValues(func() (string, error) {
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	return string(src), err
})

// axeTags are the rules the pages are held to: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const axeTags = `['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22a','wcag22aa']`

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

type axeRule struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeResult struct {
	URL        string    `json:"url"`
	Passes     int       `json:"passes"`
	Violations []axeRule `json:"violations"`
	Incomplete []axeRule `json:"incomplete"`
}

// audit injects axe-core into the page (DevTools' Runtime.evaluate is not subject to the
// page's CSP, and runs with the page's scripts disabled too) and runs it for axeTags. Any
// violation fails the test with its rule, help and elements; so does a run with no passes
// (axe reached no content).
func (b *tab) audit(name string) axeResult {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatalf("reading the axe fixture: %v", err)
	}
	if !b.js {
		// With scripts off, axe's promise never settles (its timers do not run): let scripts
		// run for the audit alone. The page's own scripts stay unrun (they were skipped as
		// it loaded), so axe sees the page as a browser without JavaScript shows it.
		b.scripts(true)
		defer b.scripts(false)
	}
	b.run("injecting axe into "+name, chromedp.Evaluate[chromedp.Void](src+"\n;void 0"))
	res := get(b, "running axe on "+name, chromedp.Evaluate[axeResult](`axe.run(document, {runOnly: {type: 'tag', values: `+axeTags+`}}).then(r => {
		const rules = list => list.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), html: n.html, summary: n.failureSummary || ''}))}));
		return {url: r.url, passes: r.passes.length, violations: rules(r.violations), incomplete: rules(r.incomplete)};
	})`, chromedp.EvalAwaitPromise))
	b.audited = append(b.audited, name)
	b.t.Logf("axe on %s: %d rules passed, %d violations", name, res.Passes, len(res.Violations))
	if res.Passes == 0 {
		b.t.Errorf("axe on %s (%s): 0 passes: it reached no content", name, res.URL)
	}
	for _, v := range res.Violations {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("\n      %s: %s\n        %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n        ")))
		}
		b.t.Errorf("axe on %s (%s): %s (%s, %s): %s%s", name, res.URL, v.ID, v.Impact, v.HelpURL, v.Help, strings.Join(nodes, ""))
	}
	for _, v := range res.Incomplete {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, n.Target)
		}
		b.t.Logf("axe on %s: needs review (not a failure): %s: %s: %s", name, v.ID, v.Help, strings.Join(targets, ", "))
	}
	return res
}

// signIn signs the person in as a person would: the page they asked for sends them to the
// sign-in form; they type their address and council, find the email in the development
// mailbox page (once the local SendGrid endpoint holds it), open its link, press Continue,
// and land on the page first asked for. nth counts the sign-in emails to the address.
func (b *tab) signIn(p postgres.Person, startAt, wantPath, wantH1 string, nth int) {
	b.t.Helper()
	resetIPLimit(b.t)
	b.open(startAt)
	b.landed("sign in", `/signin`, "Sign in")
	b.type_("#email", p.Email)
	b.type_("#tenant", p.TenantID)
	if st := b.click("form[action='/signin'] button[type=submit]"); st != 202 {
		b.t.Fatalf("asking for a link: status %d: %s", st, b.text("main"))
	}
	b.landed("check your email", `/signin`, "Check your email")
	link := signInLink(b.t, p.Email, nth)
	if !strings.HasPrefix(link, b.base+"/signin/continue?token=") {
		b.t.Fatalf("the emailed link %q does not lead to this site", link)
	}
	// The development mailbox shows the email; its link is the way in.
	b.open("/dev/mailbox?to=" + url.QueryEscape(p.Email))
	b.landed("development mailbox", `/dev/mailbox\?to=.*`, "Development mailbox")
	b.click("main a[href='" + link + "']")
	b.landed("continue", `/signin/continue\?token=.*`, "Sign in")
	b.click("form[action='/signin/continue'] button[type=submit]")
	b.landed("signed in", wantPath, wantH1)
}

// signInLink waits for the nth sign-in email to the address (other emails not counted) and
// returns its link.
func signInLink(t *testing.T, addr string, nth int) string {
	t.Helper()
	var links []string
	eventually(t, fmt.Sprintf("sign-in email %d to %s", nth, addr), func() bool {
		links = links[:0]
		for _, m := range mailTo(shared, addr) {
			if l := linkPattern.FindString(m.Text); l != "" {
				links = append(links, l)
			}
		}
		return len(links) >= nth
	})
	return links[nth-1]
}

// resetIPLimit forgets the per-IP sign-in counts: every test asks from 127.0.0.1.
func resetIPLimit(t *testing.T) {
	t.Helper()
	if _, err := shared.DB.Pool().Exec(t.Context(), `DELETE FROM sign_in_rate_limits WHERE bucket LIKE 'ip:%'`); err != nil {
		t.Fatal(err)
	}
}

// cspDirectives parses a Content-Security-Policy header into directive → sources.
func cspDirectives(h string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(h, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// checkCSP asserts a page's policy is the strict one: everything from this origin, scripts
// from this origin plus exactly one inline script allowed by its SHA-256 (which must be the
// hash of the page's one inline script), nothing unsafe, no plugins, no framing.
func checkCSP(t *testing.T, page, header, body string) {
	t.Helper()
	if header == "" {
		t.Errorf("%s: no Content-Security-Policy header", page)
		return
	}
	d := cspDirectives(header)
	if got := strings.Join(d["default-src"], " "); got != "'self'" {
		t.Errorf("%s: default-src %q, want 'self' (policy %q)", page, got, header)
	}
	scripts := d["script-src"]
	var hashes []string
	for _, s := range scripts {
		switch {
		case s == "'self'":
		case strings.HasPrefix(s, "'sha256-"):
			hashes = append(hashes, s)
		default:
			t.Errorf("%s: script-src allows %s (policy %q)", page, s, header)
		}
	}
	if len(scripts) == 0 || scripts[0] != "'self'" || len(hashes) != 1 {
		t.Errorf("%s: script-src %q, want 'self' and one sha256 hash", page, scripts)
	}
	for _, name := range []string{"style-src", "connect-src", "img-src", "form-action"} {
		for _, s := range d[name] {
			if strings.Contains(s, "unsafe") || s == "*" {
				t.Errorf("%s: %s allows %s", page, name, s)
			}
		}
	}
	for name, want := range map[string]string{"object-src": "'none'", "frame-ancestors": "'none'", "base-uri": "'none'"} {
		if got := strings.Join(d[name], " "); got != want {
			t.Errorf("%s: %s %q, want %s", page, name, got, want)
		}
	}
	// The one hash is the page's one inline script's.
	inline := inlineScript.FindAllStringSubmatch(body, -1)
	if len(inline) != 1 {
		t.Errorf("%s: %d inline scripts, want the one GOV.UK Frontend script", page, len(inline))
		return
	}
	sum := sha256.Sum256([]byte(inline[0][1]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; len(hashes) == 1 && hashes[0] != want {
		t.Errorf("%s: script-src hash %s is not the inline script's %s", page, hashes[0], want)
	}
}
