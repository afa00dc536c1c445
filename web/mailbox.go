package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/devmail"
)

// The development mailbox: every email the product sent on the development stack, newest
// first, with its links clickable, so a person with only a browser can sign in from it. It
// needs no sign-in (it is registered only when the development stack passes a mailbox). The
// same messages are JSON at /dev/mailbox.json (devmail's handler, for scripts).
//
// An email's HTML is never put inside this page: its plain text is shown (the same words,
// escaped, with its URLs made links), and the HTML is a page of its own,
// /dev/mailbox/{id}.html, served under a Content-Security-Policy that runs nothing and loads
// nothing (its inline styles only), in a sandbox.

// Mailbox is what the page needs of the development mailbox (*devmail.Sink).
type Mailbox interface {
	Messages() []devmail.Message // oldest first
}

// mailboxPageSize is how many emails one page of the mailbox shows.
const mailboxPageSize = 20

// mailboxCSP is the HTML version's policy: nothing but its own inline styles and data:
// images, no scripts, no forms, no frames, in a unique origin (sandbox).
const mailboxCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

func (s *Server) mailboxRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dev/mailbox", s.mailbox)
	mux.HandleFunc("GET /dev/mailbox/{file}", s.mailboxHTML)
}

func init() {
	funcs["mailTime"] = func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(ukTime).Format("2 January 2006 at 3:04:05pm")
	}
	funcs["addresses"] = addresses
	funcs["address"] = func(a devmail.Address) string { return addresses([]devmail.Address{a}) }
}

// mailboxData is the mailbox page.
type mailboxData struct {
	To       string // the filter: only emails to (or copied to) this address
	Total    int    // emails (matching the filter)
	Messages []mailView
	Pages    []pageLink // pagination; empty when everything fits on one page
	Prev     string     // href of the newer page, "" on the first
	Next     string     // href of the older page, "" on the last
}

// mailView is one email as the page shows it.
type mailView struct {
	devmail.Message
	Paragraphs [][]mailLine // the text body: blank-line separated paragraphs of lines
	HasHTML    bool
}

// mailLine is one line of text, in pieces: plain text and links.
type mailLine []mailPiece

type mailPiece struct {
	Text string
	Href string // a link when set (http or https only)
}

// pageLink is one item of the pagination: a page number, or an ellipsis (Number 0).
type pageLink struct {
	Number  int
	Href    string
	Current bool
}

func (s *Server) mailbox(w http.ResponseWriter, r *http.Request) {
	to := strings.TrimSpace(r.URL.Query().Get("to"))
	msgs := s.Mailbox.Messages()
	if to != "" {
		msgs = slices.DeleteFunc(msgs, func(m devmail.Message) bool { return !sentTo(m, to) })
	}
	slices.Reverse(msgs) // newest first
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pages := max(1, (len(msgs)+mailboxPageSize-1)/mailboxPageSize)
	page = min(max(page, 1), pages)
	d := mailboxData{To: to, Total: len(msgs)}
	for _, m := range msgs[min((page-1)*mailboxPageSize, len(msgs)):min(page*mailboxPageSize, len(msgs))] {
		d.Messages = append(d.Messages, mailView{Message: m, Paragraphs: linkify(m.Text), HasHTML: m.HTML != ""})
	}
	href := func(n int) string {
		q := url.Values{}
		if to != "" {
			q.Set("to", to)
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return "/dev/mailbox"
		}
		return "/dev/mailbox?" + q.Encode()
	}
	if pages > 1 {
		for n := 1; n <= pages; n++ {
			switch {
			case n == 1 || n == pages || (n >= page-1 && n <= page+1):
				d.Pages = append(d.Pages, pageLink{Number: n, Href: href(n), Current: n == page})
			case d.Pages[len(d.Pages)-1].Number != 0:
				d.Pages = append(d.Pages, pageLink{}) // ellipsis
			}
		}
		if page > 1 {
			d.Prev = href(page - 1)
		}
		if page < pages {
			d.Next = href(page + 1)
		}
	}
	title := "Development mailbox"
	if pages > 1 {
		title += " (page " + strconv.Itoa(page) + " of " + strconv.Itoa(pages) + ")"
	}
	s.render(w, r, http.StatusOK, "dev/mailbox", &Page{Title: title, Data: d})
}

// mailboxHTML serves one email's HTML as sent, as its own sandboxed document.
func (s *Server) mailboxHTML(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".html")
	if ok && id != "" {
		for _, m := range s.Mailbox.Messages() {
			if m.ID == id && m.HTML != "" {
				h := w.Header()
				h.Set("Content-Type", "text/html; charset=utf-8")
				h.Set("Content-Security-Policy", mailboxCSP)
				h.Set("Cache-Control", "no-store")
				h.Set("X-Content-Type-Options", "nosniff")
				_, _ = w.Write([]byte(m.HTML))
				return
			}
		}
	}
	s.notFound(w, r, award.Person{})
}

// sentTo says whether the message went to (or was copied to) the address.
func sentTo(m devmail.Message, address string) bool {
	for _, a := range slices.Concat(m.To, m.Cc) {
		if strings.EqualFold(a.Email, address) {
			return true
		}
	}
	return false
}

// addresses is a list of recipients as people write them: "Priya Shah <priya@example.org>".
func addresses(list []devmail.Address) string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Email
		if a.Name != "" {
			out[i] = a.Name + " <" + a.Email + ">"
		}
	}
	return strings.Join(out, ", ")
}

// urlPattern finds the web addresses in an email's text.
var urlPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify splits plain text into paragraphs (at blank lines) of lines, each line into text
// and links. A link's trailing punctuation (the full stop ending a sentence) stays text.
func linkify(text string) [][]mailLine {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var paras [][]mailLine
	var cur []mailLine
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			if cur != nil {
				paras, cur = append(paras, cur), nil
			}
			continue
		}
		var ml mailLine
		rest := line
		for {
			loc := urlPattern.FindStringIndex(rest)
			if loc == nil {
				break
			}
			u := strings.TrimRight(rest[loc[0]:loc[1]], ".,;:!?)]'")
			if loc[0] > 0 {
				ml = append(ml, mailPiece{Text: rest[:loc[0]]})
			}
			ml = append(ml, mailPiece{Text: u, Href: u})
			rest = rest[loc[0]+len(u):]
		}
		if rest != "" {
			ml = append(ml, mailPiece{Text: rest})
		}
		cur = append(cur, ml)
	}
	if cur != nil {
		paras = append(paras, cur)
	}
	return paras
}
