package web

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/devmail"
	"awardengine/services/applications/appstest"
)

// fakeMailbox is a development mailbox holding messages, oldest first.
type fakeMailbox []devmail.Message

func (m fakeMailbox) Messages() []devmail.Message { return append([]devmail.Message(nil), m...) }

func mailboxMessages() fakeMailbox {
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	return fakeMailbox{
		{ID: "m1", ReceivedAt: at, From: devmail.Address{Email: "awards@northshire.example", Name: "Northshire awards"},
			To: []devmail.Address{{Email: "applicant@northshire.example", Name: "Priya Shah"}}, Subject: "Sign in to the awards",
			Text: "Dear Priya Shah,\n\nSign in: http://127.0.0.1:8080/signin/continue?token=abc&x=1.\nIt works once.\n\nNorthshire",
			HTML: `<!doctype html><html><body style="font-family:sans-serif"><p>Dear Priya</p><script>alert(1)</script></body></html>`},
		{ID: "m2", ReceivedAt: at.Add(time.Minute), From: devmail.Address{Email: "awards@northshire.example"},
			To: []devmail.Address{{Email: "supporter@northshire.example"}}, Cc: []devmail.Address{{Email: "cc@northshire.example"}},
			Subject: "A copy <b>for you</b>", Text: "See <script>alert(2)</script> javascript:alert(3) here: https://awards.example/applications/app_1"},
		{ID: "m3", ReceivedAt: at.Add(2 * time.Minute), From: devmail.Address{Email: "awards@northshire.example"},
			To: []devmail.Address{{Email: "APPLICANT@northshire.example"}}, Subject: "Dynamic", TemplateID: "d-123"},
	}
}

func TestMailboxPage(t *testing.T) {
	h := supporterPages(t, award.Person{}, appstest.New(), mailboxMessages())
	status, body, res := pageGet(t, h, "/dev/mailbox")
	if status != 200 {
		t.Fatalf("status %d:\n%s", status, body)
	}
	for _, want := range []string{
		"Development mailbox", "3 emails",
		// links clickable, the sentence's full stop left outside, the query escaped
		`<a class="govuk-link" href="http://127.0.0.1:8080/signin/continue?token=abc&amp;x=1">http://127.0.0.1:8080/signin/continue?token=abc&amp;x=1</a>.<br>It works once.`,
		`<a class="govuk-link" href="https://awards.example/applications/app_1">`,
		"Priya Shah &lt;applicant@northshire.example&gt;", "Northshire awards &lt;awards@northshire.example&gt;",
		"Copied to", "cc@northshire.example", "1 September 2026 at 10:00:00am",
		"A copy &lt;b&gt;for you&lt;/b&gt;", "See &lt;script&gt;alert(2)&lt;/script&gt; javascript:alert(3) here",
		`href="/dev/mailbox/m1.html"`, "SendGrid template d-123", `href="/dev/mailbox.json"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Newest first; the HTML version only where there is one; no email's HTML inside the page.
	if i, j := strings.Index(body, "Dynamic"), strings.Index(body, "Sign in to the awards"); i < 0 || j < i {
		t.Error("not newest first")
	}
	if strings.Contains(body, "/dev/mailbox/m2.html") || strings.Contains(body, "alert(1)") || strings.Contains(body, `href="javascript`) {
		t.Error("an email's HTML or a script link reached the page")
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q", csp)
	}

	// Filtered by address (any case), the count says so.
	_, body, _ = pageGet(t, h, "/dev/mailbox?to=applicant%40northshire.example")
	if !strings.Contains(body, "2 emails sent to applicant@northshire.example") || strings.Contains(body, "A copy") ||
		!strings.Contains(body, `href="/dev/mailbox">Show every email`) {
		t.Errorf("filtered page:\n%s", body)
	}
	_, body, _ = pageGet(t, h, "/dev/mailbox?to=nobody%40example.org")
	if !strings.Contains(body, "No emails were sent to this address.") {
		t.Errorf("filtered to nobody:\n%s", body)
	}
}

// The HTML version is the message as sent, under a policy that runs and loads nothing.
func TestMailboxHTML(t *testing.T) {
	h := supporterPages(t, award.Person{}, appstest.New(), mailboxMessages())
	status, body, res := pageGet(t, h, "/dev/mailbox/m1.html")
	if status != 200 || body != mailboxMessages()[0].HTML {
		t.Fatalf("status %d:\n%s", status, body)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'unsafe-inline'", "sandbox"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("headers %v", res.Header)
	}
	for _, path := range []string{"/dev/mailbox/m2.html", "/dev/mailbox/nope.html", "/dev/mailbox/m1", "/dev/mailbox/.html"} {
		if status, _, _ := pageGet(t, h, path); status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, status)
		}
	}
}

func TestMailboxPages(t *testing.T) {
	var mb fakeMailbox
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= 45; i++ {
		mb = append(mb, devmail.Message{ID: fmt.Sprintf("m%d", i), ReceivedAt: at.Add(time.Duration(i) * time.Minute),
			To: []devmail.Address{{Email: "a@example.org"}}, Subject: fmt.Sprintf("Email number %d.", i), Text: "x"})
	}
	h := supporterPages(t, award.Person{}, appstest.New(), mb)
	_, body, _ := pageGet(t, h, "/dev/mailbox")
	if !strings.Contains(body, "Email number 45.") || strings.Contains(body, "Email number 25.") ||
		!strings.Contains(body, `href="/dev/mailbox?page=2" rel="next"`) || strings.Contains(body, `rel="prev"`) ||
		!strings.Contains(body, "(page 1 of 3)") {
		t.Errorf("first page:\n%s", body)
	}
	_, body, _ = pageGet(t, h, "/dev/mailbox?page=3")
	if !strings.Contains(body, "Email number 5.") || strings.Contains(body, "Email number 6.") ||
		!strings.Contains(body, `href="/dev/mailbox?page=2" rel="prev"`) || strings.Contains(body, `rel="next"`) {
		t.Errorf("last page:\n%s", body)
	}
	// Out of range pages show the nearest one.
	if _, body, _ = pageGet(t, h, "/dev/mailbox?page=99"); !strings.Contains(body, "(page 3 of 3)") {
		t.Error("page 99")
	}
}

// Without a mailbox (every stack but development) there is no such page, and sign-in does
// not mention one.
func TestNoMailbox(t *testing.T) {
	h := supporterPages(t, award.Person{}, appstest.New(), nil)
	for _, path := range []string{"/dev/mailbox", "/dev/mailbox/m1.html"} {
		if status, _, _ := pageGet(t, h, path); status != http.StatusNotFound {
			t.Errorf("%s: %d", path, status)
		}
	}
	if _, body, _ := pageGet(t, h, "/signin"); strings.Contains(body, "/dev/mailbox") {
		t.Error("sign-in links a mailbox that is not there")
	}
	if _, body, _ := pageGet(t, supporterPages(t, award.Person{}, appstest.New(), fakeMailbox{}), "/signin"); !strings.Contains(body, `href="/dev/mailbox"`) {
		t.Error("sign-in does not link the development mailbox")
	}
}

func TestLinkify(t *testing.T) {
	got := linkify("Dear Ann,\r\n\r\nOpen https://x.example/a?b=1, then (https://y.example/c).\nDone\n\n\n")
	want := [][]mailLine{
		{{{Text: "Dear Ann,"}}},
		{{{Text: "Open "}, {Text: "https://x.example/a?b=1", Href: "https://x.example/a?b=1"}, {Text: ", then ("},
			{Text: "https://y.example/c", Href: "https://y.example/c"}, {Text: ")."}}, {{Text: "Done"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("linkify:\n got %+v\nwant %+v", got, want)
	}
}
